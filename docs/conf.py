"""Sphinx configuration of the course website (``make site``; see genlib/course/site.py).

Sphinx runs on a staging copy of this folder that ``genlib.course.site`` fills with one
page per lecture (``lectures/``), the student copies (``_extra/students``), the lecture
table and parameters (``_generated/``) and MathJax (``_static/mathjax``). Nothing is
executed and nothing is fetched: every asset a page loads is served with the site.
"""
import json
from pathlib import Path

SITE = json.loads((Path(__file__).parent / "_generated" / "site.json").read_text())

project = "Generative models, from entropy to WGAN"
author = "the course's contributors"
copyright = "the course's contributors, MIT licence"

extensions = ["myst_nb"]
exclude_patterns = ["_generated", "_extra", "_static", "**.ipynb_checkpoints"]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# the executed notebooks as they are: no kernel starts
nb_execution_mode = "off"
# exercise solutions (tagged hide-input by the staging step) fold behind this toggle
nb_code_prompt_show = "Show solution"
nb_code_prompt_hide = "Hide solution"

# MathJax 3 from npm, served with the site (genlib.course.site copies it into _static)
mathjax_path = "mathjax/tex-mml-chtml.js"

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]
html_extra_path = ["_extra"]
html_css_files = ["course.css"]
html_js_files = ["offline.js"]
html_copy_source = False
html_show_sourcelink = False
html_use_index = False          # no index entries: the search is the way in
html_last_updated_fmt = None
# without a default mode the theme logs a console error on a first visit
html_context = {"default_mode": "auto"}
html_theme_options = {
    "repository_url": f"https://github.com/{SITE['repository']}",
    "repository_branch": SITE["ref"],
    "use_repository_button": True,
    "use_download_button": False,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    # pydata-sphinx-theme 0.20 would add a second search box in a header row above the page
    "navbar_persistent": [],
}
