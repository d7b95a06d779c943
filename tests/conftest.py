"""What the whole test suite shares: no silent skips in CI, and how the xdist workers share the work.

**No silent skips in CI.** With ``CI`` set (``CI=true``, as CI services and ``.ci/run``
set it), a test that skips *fails* instead, with the skip's reason: a missing Chromium
or missing test data must turn the run red, not shrink it. A test whose skip is right
even in CI says so with ``@pytest.mark.allow_skip("why")``. Outside CI, ``make test``
prints every skip's reason (``-rs``).

**Work sharing** (``make test`` runs ``pytest -n 2 --dist loadfile``): every test file,
and every notebook's nbval cells, runs in one worker, in order (module fixtures are set
up once; a notebook's cells share one kernel), except the files in ``SPREAD``: each of
their tests executes a lecture in a kernel of its own, is independent and long, and goes
to whichever worker is free, the slow ones first. (xdist's ``--dist loadgroup`` with
marks would say this per test, but it silently stops grouping on pytest 9.2,
pytest-dev/pytest-xdist#1386, and would split a notebook's cells.)
"""
from __future__ import annotations

import os

import pytest


def ci_strict() -> bool:
    """True under CI: ``CI`` is set to anything but an empty string, ``0`` or ``false``."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_configure(config):
    config.addinivalue_line("markers", "allow_skip(reason): this test may skip even under CI=true")


# Test files whose tests each run a lecture in their own kernel: shared out one by one.
SPREAD = ("tests/test_mutants.py", "tests/test_papermill.py")


def _spread(nodeid: str) -> bool:
    return nodeid.split("::", 1)[0] in SPREAD


def pytest_collection_modifyitems(config, items):
    # the slow spread tests first, so the last test to finish is a short one (a stable sort:
    # every other test, nbval cells included, keeps its order)
    items[:] = sorted(items, key=lambda i: not (_spread(i.nodeid) and i.get_closest_marker("slow") is not None))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FilesAndSpread(LoadScopeScheduling):
        """``--dist loadfile``, except that each test of a ``SPREAD`` file is a unit of its own."""

        def _split_scope(self, nodeid: str) -> str:
            return nodeid if _spread(nodeid) else nodeid.split("::", 1)[0]

    return FilesAndSpread(config, log)


def _strict_skip(report, allowed: bool, what: str):
    if not (ci_strict() and report.skipped and not allowed and not hasattr(report, "wasxfail")):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    reason = reason.removeprefix("Skipped: ")
    report.outcome = "failed"
    report.longrepr = (f"{what} skipped under CI={os.environ.get('CI')}: {reason}\n"
                       "CI runs every test: install what it needs (`make test` does: Chromium through "
                       "`make browser-deps`), or mark the test allow_skip(reason) if skipping is right in CI.")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _strict_skip(outcome.get_result(), item.get_closest_marker("allow_skip") is not None, item.nodeid)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    # a whole module skipped at import (pytest.skip(allow_module_level=True), importorskip)
    _strict_skip(outcome.get_result(), False, collector.nodeid)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (tests/test_browser.py, test_site.py)."""
    from playwright.sync_api import sync_playwright

    from benchmarks.browser import launch

    with sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()
