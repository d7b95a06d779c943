"""What the whole test suite shares: no silent skips in CI, and how the xdist workers share the work.

**No silent skips in CI.** With ``CI`` set (``CI=true``, as CI services and ``.ci/run``
set it), a test that skips *fails* instead, with the skip's reason: a missing Chromium
or missing test data must turn the run red, not shrink it. A test whose skip is right
even in CI says so with ``@pytest.mark.allow_skip("why")``. Outside CI, ``make test``
prints every skip's reason (``-rs``).

**Work sharing** (``make test`` runs ``pytest -n 2 --dist loadgroup``): every test file
is one group that one worker runs in order, as with ``--dist loadfile`` (module fixtures
are set up once; a notebook's nbval cells run in one kernel, in order), except the tests
marked ``papermill``: each executes a lecture in a kernel of its own, is independent and
long, and goes to whichever worker is free.
"""
from __future__ import annotations

import os

import pytest


def ci_strict() -> bool:
    """True under CI: ``CI`` is set to anything but an empty string, ``0`` or ``false``."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_configure(config):
    config.addinivalue_line("markers", "allow_skip(reason): this test may skip even under CI=true")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # tryfirst: before xdist's own hook, which turns the xdist_group mark into the node id's @group
    for item in items:
        if item.get_closest_marker("xdist_group") is None and item.get_closest_marker("papermill") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))


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
