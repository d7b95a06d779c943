"""The course website: what `make site` costs and gives, and how two lecture pages look.

    .venv/bin/python -m benchmarks.site [--lectures 08 07] [--no-screenshots]

Builds the site into ``build/site`` as ``make site`` does (genlib/course/site.py: Sphinx on
the committed, executed notebooks, offline, warnings as errors), and reports the build's
wall and CPU time (this process and Sphinx's), the number of pages and the total size.
Target: the build within 2 minutes on 2 cores. The wall time on a shared machine measures
the neighbours too; the CPU time is what it costs on an idle one (Sphinx runs on one core).
Then it opens the built pages from disk in Debian's Chromium (Playwright, as
tests/test_site.py) and saves screenshots of two lecture pages in the theme's light and
dark modes, scrolled to their first widget's picture and caption, into
``benchmarks/results/screenshots/site-<lecture>-<mode>.png`` (1300 x 900 CSS pixels at
device scale 1).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.common import RESULTS, ROOT, Targets, save, table
from genlib.course import registry, site

BUDGET_S = 120
SHOTS = RESULTS / "screenshots"


def page_screenshots(out: Path, names: list[str]) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from benchmarks.browser import launch

    saved = []
    with sync_playwright() as pw:
        browser = launch(pw)
        for mode in ("light", "dark"):
            context = browser.new_context(viewport={"width": 1300, "height": 900}, color_scheme=mode)
            context.route(lambda url: not url.startswith(("file:", "data:")), lambda route: route.abort())
            page = context.new_page()
            for name in names:
                page.goto((out / "lectures" / f"{name}.html").as_uri())
                page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
                page.evaluate("() => MathJax.startup.promise")
                # the first widget's stored picture and its caption (else the first figure), low on the screen
                caption = page.locator(".widget-caption")
                target = caption.first if caption.count() else page.locator(".cell_output img").first
                page.locator(".cell_output img").first.evaluate("img => img.decode()")
                box = target.bounding_box()
                page.evaluate("y => window.scrollTo(0, y)", max(0, box["y"] + box["height"] - 820))
                page.wait_for_timeout(300)
                path = SHOTS / f"site-{name}-{mode}.png"
                page.screenshot(path=str(path))
                saved.append(path)
            context.close()
        browser.close()
    return saved


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lectures", nargs="*", default=["08", "07"], help="the two lecture pages to screenshot")
    ap.add_argument("--no-screenshots", action="store_true")
    args = ap.parse_args(argv)
    names = registry.resolve(args.lectures, registry.lectures())
    got = site.build(site.OUT)
    wall, cpu = got["seconds"], got["cpu_seconds"]
    out = Path(got["out"])
    sizes = {}
    for p in out.rglob("*"):
        if p.is_file():
            top = p.relative_to(out).parts[0] if len(p.relative_to(out).parts) > 1 else "(pages)"
            sizes[top] = sizes.get(top, 0) + p.stat().st_size
    shots = [] if args.no_screenshots else page_screenshots(out, names)
    targets = Targets()
    targets.require(f"the build within {BUDGET_S} s (wall)", wall < BUDGET_S, f"{wall:.1f} s")
    targets.require("every lecture of the course has its page", got["lectures"] == registry.lectures(),
                    f"{len(got['lectures'])} of {len(registry.lectures())}")
    rows = [("build, wall", f"{wall:.1f} s"), ("build, CPU (staging and Sphinx)", f"{cpu:.1f} s"),
            ("pages", f"{got['pages']} ({len(got['lectures'])} lectures, home, instructors, contributors, "
                      "results, search)"),
            ("files", str(got["files"])), ("total size", f"{got['bytes'] / 1e6:.1f} MB")]
    rows += [(f"  of which {k}", f"{v / 1e6:.1f} MB") for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])[:5]]
    body = table(["", "measured"], rows)
    if shots:
        body += "\n\nScreenshots (light and dark): " + ", ".join(
            f"`{p.relative_to(ROOT).as_posix()}`" for p in shots) + "."
    save("site", "The course website (make site)", body, command="python -m benchmarks.site", targets=targets)
    return targets.exit_code()


if __name__ == "__main__":
    sys.exit(main())
