"""Benchmarks that can fail, and `make bench`'s results file (benchmarks/common.py, benchmarks/claims.py).

Nothing here runs a real benchmark: targets, sections and the RESULTS.md join are
tested in a temporary folder, and the claims' spread on hand-made run records.
"""
from __future__ import annotations

import importlib
import json
import math
import sys
from pathlib import Path

import pytest

from genlib.course import parameters, registry




@pytest.fixture
def common(tmp_path, monkeypatch):
    mod = importlib.import_module("benchmarks.common")
    monkeypatch.setattr(mod, "BENCHMARKS", tmp_path)
    monkeypatch.setattr(mod, "RESULTS", tmp_path / "results")
    monkeypatch.setattr(mod, "RESULTS_MD", tmp_path / "RESULTS.md")
    return mod


@pytest.fixture
def claims(common, monkeypatch):
    mod = importlib.import_module("benchmarks.claims")
    monkeypatch.setattr(mod, "save", common.save)
    return mod


def test_targets_fail_on_a_miss_and_when_nothing_was_checked(common, capsys):
    t = common.Targets()
    assert t.exit_code() == 1 and "no target was checked" in capsys.readouterr().err
    assert t.require("ring: 8/8 modes", True, "8/8") is True
    assert t.exit_code() == 0
    assert t.require("grid: at least 24/25 modes", False, "22/25") is False
    assert t.exit_code() == 1 and "MISSED: grid: at least 24/25 modes (measured: 22/25)" in capsys.readouterr().err
    assert "| grid: at least 24/25 modes | 22/25 | **MISSED** |" in t.markdown()


def test_a_section_says_command_seeds_date_machine_and_targets(common, tmp_path):
    t = common.Targets()
    t.require("test loss at most 105.6 nats", False, "106.2")
    path = common.save("vae", "VAE on MNIST", common.table(["epoch", "loss"], [[1, 120.5]]),
                       command="python -m genlib.course run 05 -p DATASET mnist", seeds=[0, 1, 2], targets=t)
    text = path.read_text()
    assert path == tmp_path / "results" / "vae.md"
    assert text.startswith("## VAE on MNIST (TARGET MISSED)\n")
    for line in ["- command: `python -m genlib.course run 05 -p DATASET mnist`", "- seeds: 0, 1, 2",
                 "| epoch | loss |", "| 1 | 120.5 |", "| test loss at most 105.6 nats | 106.2 | **MISSED** |"]:
        assert line in text
    measured = next(l for l in text.splitlines() if l.startswith("- measured: "))
    assert "UTC" in measured and "cores" in measured and "torch" in measured


def script(folder: Path, name: str, body: str):
    (folder / f"{name}.py").write_text(body)


def test_make_bench_runs_in_order_goes_on_after_a_miss_and_joins_the_sections(common, tmp_path, capsys):
    own = ("from benchmarks import common\n"
           + "common.RESULTS = common.Path(%r)\n" % str(tmp_path / "results"))
    script(tmp_path, "a_prints", "print('| x | 1 |')\n")                 # no section of its own
    script(tmp_path, "b_saves", own + "t = common.Targets(); t.require('fast', True, '1 s')\n"
           "common.save('b_saves', 'B', 'body of b', command='python benchmarks/b_saves.py', targets=t)\n"
           "raise SystemExit(t.exit_code())\n")
    script(tmp_path, "claims", "raise SystemExit(0)\n")
    script(tmp_path, "common", "")                                      # never run as a benchmark
    assert common.benchmarks() == ["a_prints", "b_saves", "claims"]     # claims last
    assert common.main([]) == 0
    md = (tmp_path / "RESULTS.md").read_text()
    assert md.startswith("# Benchmark results")
    assert md.index("## a_prints") < md.index("## B") < md.index("## claims")
    assert "| x | 1 |" in md and "- command: `python -m benchmarks.a_prints`" in md and "body of b" in md

    script(tmp_path, "b_saves", own + "t = common.Targets(); t.require('fast', False, '9 s')\n"
           "common.save('b_saves', 'B', 'slow now', command='python benchmarks/b_saves.py', targets=t)\n"
           "raise SystemExit(t.exit_code())\n")
    script(tmp_path, "claims", "print('claims ran after the miss')\n")
    assert common.main([]) == 1                                          # the miss sets the exit status
    err = capsys.readouterr().err
    assert "b_saves exited 1" in err and "missed or failed: b_saves (exit 1)" in err
    assert "slow now" in (tmp_path / "results" / "b_saves.md").read_text()
    md = (tmp_path / "RESULTS.md").read_text()
    assert "slow now" in md and "TARGET MISSED" in md                    # rewritten, the miss marked
    assert "claims ran after the miss" in md                             # the others still measured
    assert common.main(["nope"]) == 2


# ---------------------------------------------------------------- claims.py on hand-made run records

def rec(lecture, claims_, status="ok"):
    return {"lecture": lecture, "status": status, "wall_s": 1.0, "record": {"claims": claims_}}


def between(text, value, low=0.0, high="inf", passed=True):
    return {"text": text, "kind": "between", "passed": passed, "value": value, "low": low, "high": high, "n": 1}


def write_runs(folder: Path, runs: dict):
    for (seed, default), claims_ in runs.items():
        d = folder / f"seed{seed}{'-default' if default else ''}" / "05_vae"
        d.mkdir(parents=True)
        (d / "05_vae.run.json").write_text(json.dumps(rec("05_vae", claims_)))


def test_claims_spread_lists_varying_claims_with_their_margins(claims, tmp_path, capsys):
    runs = {}
    for seed, loss in enumerate([100.0, 101.0, 99.0]):
        runs[(seed, False)] = [
            between("test loss within the reference's range", loss, 90.0, 110.0),
            {"text": "KL(p||p) is zero", "kind": "close", "passed": True, "value": 0.0, "low": 0.0, "high": 1.0},
            between("KL is non-negative", 0.0),                      # exact, at its bound: not a margin problem
            {"text": "the encoder's code is finite", "kind": "claim", "passed": True},
        ]
    runs[(0, True)] = [between("test loss within the reference's range", 104.0, 90.0, 110.0),
                       {"text": "KL(p||p) is zero", "kind": "close", "passed": True, "value": 0.25, "low": 0, "high": 1}]
    write_runs(tmp_path / "runs", runs)
    assert claims.main(["--from", str(tmp_path / "runs")]) == 0
    md = (tmp_path / "results" / "claims.md").read_text()
    row = next(l for l in md.splitlines() if l.startswith("| 05 | test loss"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    # runs, the values' range, bounds, the worst value (nearest a threshold: 104 is 6 from 110,
    # 99 is 9 from 90) with its run, its margin, the margin's share of the range
    assert cells[3:] == ["4", "99 to 104", "[90, 110]", "104 (s0d)", "6", "30%"]
    close = next(l for l in md.splitlines() if "KL(p||p) is zero" in l)
    assert "| tolerance | 0.25 (s0d) | 0.75 | 75% |" in close
    assert "KL is non-negative" not in md                            # the same in every run: counted only
    assert "| 05_vae | 4 | 2 | 2 | 0 | 4/4 |" in md


@pytest.mark.parametrize("case, says", [
    ("failed", "claim failed in run s1"),
    ("no margin", "no margin"),
    ("unfinished", "did not finish"),
])
def test_claims_spread_fails_on_a_failed_claim_no_margin_or_an_unfinished_run(claims, tmp_path, capsys, case, says):
    runs = {(0, False): [between("loss in range", 100.0, 90.0, 110.0)],
            (1, False): [between("loss in range", 105.0, 90.0, 110.0)]}
    if case == "failed":
        runs[(1, False)] = [between("loss in range", 111.0, 90.0, 110.0, passed=False)]
    elif case == "no margin":
        runs[(1, False)] = [between("loss in range", 110.0, 90.0, 110.0)]
    write_runs(tmp_path / "runs", runs)
    if case == "unfinished":
        p = tmp_path / "runs" / "seed1" / "05_vae" / "05_vae.run.json"
        p.write_text(json.dumps(rec("05_vae", runs[(1, False)], status="error")))
    assert claims.main(["--from", str(tmp_path / "runs"), "--no-save"]) == 1
    assert says in capsys.readouterr().err


def test_a_thin_margin_fails_only_when_asked(claims, tmp_path):
    write_runs(tmp_path / "runs", {(0, False): [between("loss in range", 100.0, 90.0, 110.0)],
                                   (1, False): [between("loss in range", 109.0, 90.0, 110.0)]})
    assert claims.main(["--from", str(tmp_path / "runs"), "--no-save"]) == 0
    assert claims.main(["--from", str(tmp_path / "runs"), "--no-save", "--min-share", "0.1"]) == 1


def test_seed_lists(claims):
    assert claims.seeds_arg("0-4") == [0, 1, 2, 3, 4]
    assert claims.seeds_arg("0,2,5-6") == [0, 2, 5, 6]
    assert claims.seeds_arg("") == []
    assert math.isinf(claims._float("inf")) and claims._float(None) is None
    assert claims.resolve is registry.resolve and claims.parse_value is parameters.parse_value  # one of each


def test_make_bench_sweeps_seeds_0_to_19_on_both_kernel_paths_in_parallel(claims, tmp_path, monkeypatch):
    """The default call, with the lecture runs replaced by hand-made records: every lecture at
    SEED 0..19 and again under ATEN_CPU_CAPABILITY=default, several at once; the section shows the
    worst value over the 40 runs and its margin."""
    import threading
    import time

    monkeypatch.setattr(claims, "lectures", lambda: ["05_vae"])
    monkeypatch.setattr(claims.os, "cpu_count", lambda: 4)
    asked, running, peak, lock = [], [0], [0], threading.Lock()

    def fake_run(name, params, out=None, env=None, **kw):
        with lock:
            asked.append((name, params["SEED"], (env or {}).get("ATEN_CPU_CAPABILITY")))
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1
        loss = 100.0 + params["SEED"] * 0.1 + (0.5 if env else 0.0)   # worst: SEED 19 on the default path
        return {"lecture": name, "status": "ok", "wall_s": 1.0,
                "record": {"claims": [between("test loss within the reference's range", loss, 90.0, 110.0)]}}

    monkeypatch.setattr(claims, "run_lecture", fake_run)
    assert claims.main(["--out", str(tmp_path / "runs")]) == 0
    assert sorted(asked, key=str) == sorted([("05_vae", s, None) for s in range(20)]
                                            + [("05_vae", s, "default") for s in range(20)], key=str)
    assert peak[0] > 1                                                 # runs at once (--jobs: one per core)
    md = (tmp_path / "results" / "claims.md").read_text()
    row = next(l for l in md.splitlines() if l.startswith("| 05 | test loss"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[3:] == ["40", "100 to 102.4", "[90, 110]", "102.4 (s19d)", "7.6", "38%"]
    assert "--seeds 0,1,2" in md and "--default-seeds 0,1,2" in md


@pytest.fixture
def stability(common, monkeypatch):
    mod = importlib.import_module("benchmarks.gan_stability")
    monkeypatch.setattr(mod, "save", common.save)
    return mod


def _lecture_07(coverage, status="ok", claims=(), error=None):
    """A hand-made run record of lecture 07: coverage {(data, loss): modes} (HQ 0.5 each)."""
    metrics = {f"{d}_{loss}_modes": n for (d, loss), n in coverage.items()}
    metrics.update({f"{d}_{loss}_hq": 0.5 for (d, loss) in coverage})
    return {"status": status, "error": error,
            "record": {"metrics": metrics, "claims": [{"text": t, "passed": False} for t in claims]}}


def test_gan_stability_counts_the_settings_each_model_trains_in_and_names_where_runs_stopped(stability, tmp_path,
                                                                                            monkeypatch, capsys):
    full = {("ring", "nonsaturating"): 8, ("grid", "nonsaturating"): 25, ("ring", "wgan-gp"): 8, ("grid", "wgan-gp"): 24}
    collapsed = {**full, ("grid", "nonsaturating"): 11}
    runs = {0.5: _lecture_07({**full, ("ring", "wgan-gp"): 7}, "failed", ["ring: WGAN-GP captures 8/8"]),
            1.0: _lecture_07(full),
            4.0: _lecture_07(collapsed, "failed", ["grid: the tuned GAN captures at least 17 of the 25 modes"])}
    asked = []

    def fake_run(name, params, out=None, **kw):
        asked.append(params)
        return runs[float(params["LR"]) / 1e-3]

    monkeypatch.setattr(stability, "run_lecture", fake_run)
    monkeypatch.setattr(stability, "defaults", lambda: {"LR": 1e-3, "GAN_LR": 2e-3})
    assert stability.main(["--scales", "0.5", "1", "4", "--seeds", "0", "--jobs", "1"]) == 0
    assert [(p["LR"], p["GAN_LR"], p["PROFILE"]) for p in asked] == [("0.0005", "0.001", "cpu"), ("0.001", "0.002", "cpu"),
                                                                     ("0.004", "0.008", "cpu")]
    text = (tmp_path / "results" / "gan_stability.md").read_text()
    assert "Over the 3 settings whose coverage was recorded:" in text
    assert "| GAN | 3 of 3 | 2 of 3 | 11-25 | 50-50 | 50-50 |" in text
    assert "| WGAN-GP | 2 of 3 | 3 of 3 | 24-24 | 50-50 | 50-50 |" in text
    assert "| 4 | 0 | GAN | 0.008 | 8/8 (50 %) | 11/25 (50 %) | stopped at a check: grid: the tuned GAN" in text
    runs[2.0] = _lecture_07({}, "failed", ["the critic's estimate correlates with the true W1"])  # stops before section 10
    assert stability.main(["--scales", "1", "2", "--seeds", "0", "--jobs", "1"]) == 0
    text = (tmp_path / "results" / "gan_stability.md").read_text()
    assert "Over the 1 setting whose coverage was recorded (1 not measured):" in text
    assert "| 2 | 0 | WGAN-GP | 0.002 | not measured | not measured |" in text
    assert "| WGAN-GP | 1 of 1 | 1 of 1 | 24-24 |" in text

    # a run that crashed without a record or a message, and a failed check at the lecture's own rates: both missed
    runs[4.0] = {"status": "failed", "record": {}}
    runs[1.0] = _lecture_07(full, "failed", ["ring: the critic's estimate tracks W1"])
    assert stability.main(["--scales", "1", "4", "--seeds", "0", "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert "MISSED: scale 4, seed 0: the coverage is recorded, or the run says why it stopped" in err
    assert "MISSED: seed 0: at the lecture's own rates every check holds (measured: status failed, 1 failed)" in err


def test_gan_stability_reads_the_learning_rates_from_the_lecture(monkeypatch):
    import papermill

    gan_stability = importlib.import_module("benchmarks.gan_stability")
    declared = papermill.inspect_notebook(str(gan_stability.LECTURE))  # papermill's own reading, the oracle
    assert gan_stability.defaults() == {name: float(declared[name]["default"]) for name in ("LR", "GAN_LR")}
