"""The course website (``make site``, genlib/course/site.py): built here, then read in Chromium.

The site is built once from the committed notebooks into a temporary folder (what
``make site`` does, warnings as errors), then opened from disk (``file://``, as a reader
with no network would) in Debian's Chromium, driven by Playwright as in test_browser.py.
Every request a page makes to anything but the site's own files is refused and counted:
a page must load nothing from another host. Checked:

* the pages: home, one per lecture of the course's list (in order, with previous/next
  links and an outline), instructors, contributors, results;
* each lecture page: no console error, every image loaded, math typeset by the MathJax
  served with the site (no raw ``$$``, ``\\(`` or ``\\frac`` left in the text), checked
  claims (✔ lines) visible, widgets shown as their picture with a caption (no
  "Loading widget"), the solutions folded until their toggle is clicked, the launch
  buttons on the student copy (Colab, Binder, the download served with the site);
* the search finds lecture 7 for "Wasserstein";
* every internal link and anchor of every page resolves (read from the HTML files).
"""
from __future__ import annotations

import html.parser
import json
import urllib.parse
from pathlib import Path

import pytest

from benchmarks.browser import CHROMIUM
from genlib.course import colab, registry, site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make browser-deps)"),
    pytest.mark.skipif(not (site.MATHJAX / "es5" / "tex-mml-chtml.js").is_file(),
                       reason="MathJax is not in build/vendor (make site-deps)"),
]

BUILD_BUDGET_S = 120     # `make site` within 2 minutes on 2 cores (Sphinx runs on one)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "site"
    got = site.build(out)
    print(f"site: {got['pages']} pages, {got['bytes'] / 1e6:.1f} MB, built in {got['seconds']:.1f} s "
          f"({got['cpu_seconds']:.1f} CPU-s)")
    return got


class Reader:
    """A page of the site in Chromium; records console errors, failed and outside requests."""

    def __init__(self, browser, out: Path, **context):
        self.out = Path(out)
        self.context = browser.new_context(viewport={"width": 1300, "height": 900}, **context)
        self.outside, self.errors = [], []
        self.context.route(lambda url: not url.startswith(("file:", "data:", "blob:")), self._refuse)
        self.page = self.context.new_page()
        self.page.set_default_timeout(60_000)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))

    def _refuse(self, route):
        self.outside.append(route.request.url)
        route.abort()

    def open(self, rel: str):
        self.page.goto((self.out / rel).as_uri())
        self.page.wait_for_load_state("load")
        # a page with math loads MathJax, whose startup promise resolves once the page is typeset
        self.page.wait_for_function("() => !document.querySelector('script[src*=\"mathjax/\"]') "
                                    "|| (window.MathJax && MathJax.startup && MathJax.startup.promise)")
        self.page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise.then(() => 1) : 0")
        return self.page

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def reader(built, browser):
    r = Reader(browser, Path(built["out"]))
    yield r
    r.close()


def test_the_build_makes_every_page_in_time(built):
    out = Path(built["out"])
    # CPU time: on a shared machine the wall time measures the neighbours too (benchmarks/site.py)
    assert built["cpu_seconds"] < BUILD_BUDGET_S, f"the site took {built['cpu_seconds']:.0f} CPU-s to build"
    assert built["lectures"] == registry.lectures(), "the site's lectures are not the course's list, in order"
    expected = {"index.html", "instructors.html", "contributing.html", "results.html", "search.html"} | {
        f"lectures/{n}.html" for n in registry.lectures()}
    assert expected <= {p.relative_to(out).as_posix() for p in site.pages(out)}
    for n in registry.lectures():      # the download is the student copy, served with the site
        assert (out / "students" / f"{n}.ipynb").read_bytes() == (registry.STUDENTS / f"{n}.ipynb").read_bytes()


def visible_text_outside_code(page) -> str:
    return page.evaluate("""() => {
        const main = document.querySelector('main').cloneNode(true);
        main.querySelectorAll('pre, code, script, mjx-container, .MathJax').forEach(e => e.remove());
        return main.textContent; }""")


def test_every_lecture_page_reads_offline(reader):
    cfg = colab.config()
    names = registry.lectures()
    for i, name in enumerate(names):
        reader.errors.clear()
        page = reader.open(f"lectures/{name}.html")
        # every image loaded (figures, widget pictures)
        images = page.evaluate("() => [...document.images].map(i => [i.src, i.complete && i.naturalWidth > 0])")
        assert images, f"{name}: no image on the page"
        broken = [src for src, ok in images if not ok]
        assert not broken, f"{name}: images not loaded: {broken[:3]}"
        # math typeset, no TeX left in the text
        assert page.locator("mjx-container").count() >= 5, f"{name}: math not typeset"
        text = visible_text_outside_code(page)
        for raw in ("$$", "\\(", "\\[", "\\frac", "\\mathrm"):
            assert raw not in text, f"{name}: raw TeX {raw!r} on the page: ...{text[max(0, text.find(raw) - 80):text.find(raw) + 80]}..."
        # the checked claims, the widgets' pictures with their caption, no widget placeholder
        body = page.inner_text("main")
        assert "\u2714" in body, f"{name}: no checked claim (\u2714 line) on the page"
        assert "Loading widget" not in body
        captions = page.locator(".widget-caption").count()
        stored = sum("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                     for c in json.loads((registry.LECTURES / f"{name}.ipynb").read_text())["cells"]
                     for o in c.get("outputs", []))
        assert captions == stored, f"{name}: {stored} widgets in the notebook, {captions} captions on the page"
        # every exercise: its stub shown, its solution folded
        exercises = sum("exercise" in c.get("metadata", {}).get("tags", [])
                        for c in json.loads((registry.LECTURES / f"{name}.ipynb").read_text())["cells"])
        assert page.locator(".tag_solution details:not([open])").count() == exercises, f"{name}: a solution is not folded"
        assert page.locator(".tag_exercise").count() == exercises
        # launch buttons: the student copy on Colab and Binder, and its download
        hrefs = {a.inner_text().strip(): a.get_attribute("href") for a in page.locator(".launch-buttons a").all()}
        links = site.launch_links(name, cfg)
        assert hrefs.get("Open in Colab") == links["colab"]
        assert links["colab"].endswith(f"/{cfg['repository']}/blob/{cfg['ref']}/lectures/students/{name}.ipynb")
        assert hrefs.get("Launch on Binder") == links["binder"]
        assert f"/gh/{cfg['repository']}/{cfg['ref']}?urlpath=lab/tree/lectures/students/{name}.ipynb" in links["binder"]
        download = page.locator(".launch-buttons a[download]").evaluate("a => a.href")
        assert download == (reader.out / "students" / f"{name}.ipynb").as_uri()
        # previous / next, and the outline of the page
        prev_next = page.locator(".prev-next-area a").evaluate_all("as => as.map(a => a.href)")
        if i + 1 < len(names):
            assert any(h.endswith(f"lectures/{names[i + 1]}.html") for h in prev_next), (name, prev_next)
        if i > 0:
            assert any(h.endswith(f"lectures/{names[i - 1]}.html") for h in prev_next), (name, prev_next)
        assert page.locator(".bd-sidebar-secondary .toc-entry a").count() >= 3, f"{name}: no outline"
        assert not reader.errors, f"{name}: console errors: {reader.errors[:5]}"
    assert not reader.outside, f"requests to other hosts: {sorted(set(reader.outside))[:5]}"


def test_solutions_are_folded_until_their_toggle_is_clicked(reader):
    page = reader.open(f"lectures/{registry.lectures()[0]}.html")
    solutions = page.locator(".tag_solution")
    assert solutions.count() >= 1
    first = solutions.first
    code = first.locator(".cell_input pre").first
    assert not code.is_visible(), "a solution is shown before its toggle is clicked"
    assert all(not s.locator("details").first.evaluate("d => d.open") for s in solutions.all())
    assert page.locator(".tag_exercise").count() == solutions.count(), "each exercise shows its stub first"
    stub = page.locator(".tag_exercise pre").first.inner_text()
    assert "NotImplementedError" in stub and "BEGIN SOLUTION" not in stub
    toggle = first.locator("summary").first
    assert "Show solution" in toggle.inner_text()
    toggle.click()
    assert code.is_visible()
    assert "NotImplementedError" not in code.inner_text() and "BEGIN SOLUTION" not in code.inner_text()


def test_search_finds_the_wasserstein_lecture(reader):
    reader.errors.clear()
    page = reader.open("search.html")
    page.goto((reader.out / "search.html").as_uri() + "?q=Wasserstein")
    page.wait_for_function("() => /Search finished/.test(document.querySelector('#search-results').innerText)")
    hits = page.locator("#search-results ul.search li a").evaluate_all("as => as.map(a => a.href)")
    wgan = next(n for n in registry.lectures() if n.startswith("07"))
    assert any(f"lectures/{wgan}.html" in h for h in hits), hits
    assert not reader.errors, f"the search logged errors: {reader.errors[:3]}"


def test_home_dark_mode_and_other_pages_load_clean(built, browser):
    r = Reader(browser, Path(built["out"]), color_scheme="dark")
    try:
        for rel in ("index.html", "instructors.html", "contributing.html", "results.html"):
            page = r.open(rel)
            assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
            assert not r.errors, f"{rel}: console errors: {r.errors[:5]}"
        page = r.open("index.html")
        table = page.locator("table").first.inner_text()
        for name in registry.lectures():
            assert page.locator(f"a[href='lectures/{name}.html']").count() >= 1, f"the home page misses {name}"
        assert "Colab" in table and "Binder" in table
        # figures stay on white in the dark mode
        page = r.open(f"lectures/{registry.lectures()[0]}.html")
        bg = page.locator(".cell_output img").first.evaluate("i => getComputedStyle(i).backgroundColor")
        assert bg == "rgb(255, 255, 255)", bg
        assert not r.errors and not r.outside
    finally:
        r.close()


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        for key in ("href", "src"):
            if a.get(key):
                self.refs.append(a[key])


def test_every_internal_link_resolves(built):
    out = Path(built["out"])
    parsed = {}

    def parse(p: Path) -> _Links:
        if p not in parsed:
            parsed[p] = _Links()
            parsed[p].feed(p.read_text(errors="replace"))
        return parsed[p]

    bad, checked = [], 0
    for page in site.pages(out):
        for ref in parse(page).refs:
            url = urllib.parse.urlsplit(ref)
            if url.scheme or url.netloc or ref.startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / urllib.parse.unquote(url.path)).resolve() if url.path else page
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            if not target.is_file() or out.resolve() not in target.parents:
                bad.append(f"{page.relative_to(out)}: {ref}")
            elif url.fragment and target.suffix == ".html" and url.fragment not in parse(target).ids:
                bad.append(f"{page.relative_to(out)}: {ref} (no such anchor)")
    assert checked > 100
    assert not bad, f"{len(bad)} internal links do not resolve: {bad[:10]}"
