"""The claims' spread: every checked claim across seeds and kernel paths, with its margin.

Runs each lecture (or the ones named) through the course runner at SEED 0..19, and
again under ``ATEN_CPU_CAPABILITY=default`` (another kernel path, standing in for
another CPU) at the same seeds, several runs at once (``--jobs``, default: one per
core), reads every claim the lecture recorded (``record.claims`` in
``<NAME>.run.json``: text, kind, value, low, high, n, passed) and writes, for each claim
whose value varies across those runs (the claims about trained or sampled things), the
range of its values, its worst value over the runs (the one nearest a threshold, with
its run) and that value's margin to the threshold: absolute, and as a share of the
allowed range where the range is finite. For a ``close`` claim the value is the share
of the tolerance used, so its margin is what is left of the tolerance.

Exits 1 when a claim failed in any run, a run did not finish, or a varying claim has
no margin (a value on a bound in some run); ``--min-share 0.1`` also fails claims
whose worst margin is under 10 % of their range. Claims that print the same value in
every run (closed forms, oracles on fixed inputs) are counted, not listed. So give a
claim only the bounds that are its thresholds: ``check.between(text, share, 0.9)``,
not ``(text, share, 0.9, 1.0)``, whose natural limit 1 would read as no margin.

    python -m benchmarks.claims                       # every lecture, SEED 0..19 on both kernel paths
    python -m benchmarks.claims 05 07 --jobs 1        # two lectures, one run at a time
    python -m benchmarks.claims --seeds 0-4 --default-seeds 0 -p PROFILE cpu   # the quick spread
    python -m benchmarks.claims --from runs/claims    # re-read the run records of an earlier call

Cost (cpu profile): one run of every lecture takes about 3.5 CPU-minutes (01-03 about
15 s each, 04-07 30-65 s each), so the default call (40 runs of each) takes about 140
CPU-minutes: about 70 minutes on 2 cores, less on more (``--jobs`` runs that many at once).
"""
from __future__ import annotations

import argparse
import math
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import ROOT, Targets, fmt, run_lecture, save, seeds_arg, table
from genlib.course import records
from genlib.course.parameters import parse_value
from genlib.course.registry import UsageError, lectures, resolve

DEFAULT_PATH = {"ATEN_CPU_CAPABILITY": "default"}
SEEDS = "0-19"          # the seeds of `make bench`, on both kernel paths




@dataclass
class Run:
    lecture: str
    seed: int
    path: str              # "native" or "default"
    status: str
    claims: list
    error: str = ""

    @property
    def tag(self) -> str:
        return f"s{self.seed}" + ("d" if self.path == "default" else "")


@dataclass
class Claim:
    lecture: str
    text: str
    occurrence: int
    kind: str
    low: float = -math.inf
    high: float = math.inf
    n: int = 1
    values: dict = field(default_factory=dict)   # run tag -> value (None: boolean claim)
    failed: list = field(default_factory=list)   # run tags where it failed

    @property
    def numeric(self) -> dict:
        return {k: v for k, v in self.values.items() if v is not None}

    @property
    def varies(self) -> bool:
        vals = list(self.numeric.values())
        if len(vals) < 2:
            return False
        lo, hi = min(vals), max(vals)
        return hi - lo > 1e-12 * max(1.0, abs(lo), abs(hi))

    def margins(self) -> tuple[float, str, float, str]:
        """``(below, run, above, run)``: the worst distance to the lower and to the upper bound.

        For a ``close`` claim the value is the share of the tolerance used (0: exact), so only
        the upper side counts: ``above`` is what is left of the tolerance.
        """
        vals = self.numeric
        lo_tag, hi_tag = min(vals, key=vals.get), max(vals, key=vals.get)
        if self.kind == "close":
            return math.inf, "", 1.0 - vals[hi_tag], hi_tag
        return vals[lo_tag] - self.low, lo_tag, self.high - vals[hi_tag], hi_tag

    def worst(self) -> tuple[str, float]:
        """``(run, margin)``: the run whose value is nearest a threshold, and that margin."""
        below, lo_tag, above, hi_tag = self.margins()
        return (lo_tag, below) if below <= above else (hi_tag, above)

    @property
    def span(self) -> float:
        return 1.0 if self.kind == "close" else self.high - self.low

    def share(self) -> float | None:
        s = self.span
        return self.worst()[1] / s if math.isfinite(s) and s > 0 else None


def _float(x):
    if x is None:
        return None
    try:
        return float(x)         # the record writes infinities as "inf" / "-inf"
    except (TypeError, ValueError):
        return None


def collect(runs: list[Run]) -> list[Claim]:
    """Claims keyed by lecture, text and occurrence (a text checked twice is two claims)."""
    claims: dict = {}
    for r in runs:
        seen: dict = {}
        for c in r.claims:
            if c.get("kind") == "skipped":
                continue
            k = seen[c["text"]] = seen.get(c["text"], -1) + 1
            key = (r.lecture, c["text"], k)
            cl = claims.get(key)
            if cl is None:
                cl = claims[key] = Claim(r.lecture, c["text"], k, c.get("kind", "claim"))
            if c.get("low") is not None:
                cl.low, cl.high, cl.n = _float(c["low"]), _float(c["high"]), int(c.get("n", 1))
            cl.values[r.tag] = _float(c.get("value"))
            if not c.get("passed", False):
                cl.failed.append(r.tag)
    return list(claims.values())



def analyse(runs: list[Run], min_share: float = 0.0) -> tuple[str, Targets, list[str]]:
    """The Markdown body, the targets, and the problems (one line each)."""
    claims = collect(runs)
    tags = sorted({r.tag for r in runs}, key=lambda t: (t.endswith("d"), int(t[1:].rstrip("d"))))
    problems = [f"{r.lecture} {r.tag}: the run did not finish ({r.status}: {r.error})"
                for r in runs if r.status != "ok"]
    problems += [f"{c.lecture}: claim failed in run {', '.join(c.failed)}: {c.text}" for c in claims if c.failed]
    varying = [c for c in claims if c.varies]
    thin = []
    for c in varying:
        tag, m = c.worst()
        if m <= 0:
            problems.append(f"{c.lecture}: no margin ({fmt(m)} in run {tag}): {c.text}")
        elif c.share() is not None and c.share() < min_share:
            thin.append(c)
            problems.append(f"{c.lecture}: margin {c.share():.1%} of the range, under {min_share:.0%}: {c.text}")
    rows = []
    for c in varying:
        share = c.share()
        vals = c.numeric
        tag, margin = c.worst()
        bounds = ("tolerance" if c.kind == "close" else f"[{fmt(c.low)}, {fmt(c.high)}]")
        rows.append([c.lecture[:2], c.text + (f" (n = {c.n})" if c.n > 1 else ""), c.kind, len(vals),
                     f"{fmt(min(vals.values()))} to {fmt(max(vals.values()))}", bounds,
                     f"{fmt(vals[tag])} ({tag})", fmt(margin), "-" if share is None else f"{share:.0%}"])
    lectures = sorted({r.lecture for r in runs})
    counts = table(["lecture", "claims", "vary across runs", "same in every run", "failed", "runs finished"],
                   [[name, sum(c.lecture == name for c in claims), sum(c.lecture == name for c in varying),
                     sum(c.lecture == name and not c.varies for c in claims),
                     sum(c.lecture == name and bool(c.failed) for c in claims),
                     f"{sum(r.lecture == name and r.status == 'ok' for r in runs)}/"
                     f"{sum(r.lecture == name for r in runs)}"] for name in lectures])
    legend = (f"Runs ({len(tags)}): `sN` is SEED N, `sNd` is SEED N under `ATEN_CPU_CAPABILITY=default`. "
              "For `close` claims the value is the share of the tolerance used (0 exact, 1 at the limit). "
              "Worst: the value nearest a threshold over the runs, with its run; margin: its distance to "
              "that threshold; share: the margin as a share of the allowed range, where finite. For an "
              "array the record keeps the element nearest a bound.")
    body = "\n\n".join([counts, legend, table(["#", "claim (value varies across runs)", "kind", "runs", "values",
                                                "bounds", "worst", "margin", "share"], rows) if rows
                        else "No claim's value varies across these runs."])
    t = Targets()
    t.require("every run finished", all(r.status == "ok" for r in runs),
              f"{sum(r.status == 'ok' for r in runs)}/{len(runs)}")
    t.require("no claim failed in any run", not any(c.failed for c in claims),
              f"{sum(bool(c.failed) for c in claims)} failed of {len(claims)}")
    t.require("every varying claim has a margin", all(c.worst()[1] > 0 for c in varying),
              f"{sum(c.worst()[1] <= 0 for c in varying)} of {len(varying)} without")
    if min_share > 0:
        t.require(f"every varying claim's margin is at least {min_share:.0%} of its range", not thin,
                  f"{len(thin)} under")
    return body, t, problems


def execute(lectures, seeds, default_seeds, params, out: Path, jobs: int) -> list[Run]:
    plan = [(name, s, "native") for name in lectures for s in seeds]
    plan += [(name, s, "default") for name in lectures for s in default_seeds]

    def one(item):
        name, seed, path = item
        folder = out / f"seed{seed}{'-default' if path == 'default' else ''}" / str(name)
        try:
            rec = run_lecture(name, dict(params, SEED=seed), out=folder,
                              env=DEFAULT_PATH if path == "default" else None)
        except Exception as exc:   # no record at all: say so, keep the others
            return Run(str(name), seed, path, "error", [], f"{type(exc).__name__}: {str(exc)[:300]}")
        err = rec.get("error") or {}
        run = Run(rec.get("lecture", str(name)), seed, path, rec.get("status", "?"),
                  (rec.get("record") or {}).get("claims", []),
                  f"{err.get('ename', '')}: {str(err.get('evalue', ''))[:200]}" if err else "")
        print(f"  {run.lecture} {run.tag}: {run.status}, {len(run.claims)} claims, {rec.get('wall_s', 0):.0f} s",
              file=sys.stderr, flush=True)
        return run

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, plan))


def load(folder: Path) -> list[Run]:
    """The runs of an earlier call, from ``<folder>/seedN[-default]/<lecture>/<NAME>.run.json``."""
    runs = []
    for run_dir in sorted(p for p in Path(folder).glob("seed*/*") if p.is_dir()):
        d = run_dir.parent.name
        seed, path = int(d[4:].split("-")[0]), ("default" if d.endswith("-default") else "native")
        for rec in records.read_all(run_dir):
            err = rec.get("error") or {}
            runs.append(Run(rec["lecture"], seed, path, rec.get("status", "?"),
                            (rec.get("record") or {}).get("claims", []),
                            f"{err.get('ename', '')}: {err.get('evalue', '')}" if err else ""))
    return runs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("lectures", nargs="*", help="lectures (02, 02_kl_js; default: all)")
    ap.add_argument("--seeds", type=seeds_arg, default=seeds_arg(SEEDS), help=f"seeds to run (default {SEEDS})")
    ap.add_argument("--default-seeds", type=seeds_arg, default=seeds_arg(SEEDS),
                    help=f"seeds to run again under ATEN_CPU_CAPABILITY=default (default {SEEDS}; '' for none)")
    ap.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                    help="a parameter for every run (default: -p PROFILE cpu)")
    ap.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                    help="runs at once (default: one per core; each run uses one core)")
    ap.add_argument("--out", default=str(ROOT / "runs" / "claims"), help="where the runs go (default runs/claims)")
    ap.add_argument("--from", dest="from_", metavar="FOLDER", help="read the runs of an earlier call; run nothing")
    ap.add_argument("--min-share", type=float, default=0.0,
                    help="also fail a varying claim whose margin is under this share of its range (e.g. 0.1)")
    ap.add_argument("--no-save", action="store_true", help="print only; do not write benchmarks/results/claims.md")
    args = ap.parse_args(argv)
    params = {"PROFILE": "cpu"}
    params.update({k: parse_value(v) for k, v in args.parameter})
    try:
        if args.from_:
            runs = load(Path(args.from_))
            if args.lectures:
                wanted = set(resolve(args.lectures, sorted({r.lecture for r in runs})))
                runs = [r for r in runs if r.lecture in wanted]
            if not runs:
                print(f"no run records under {args.from_}", file=sys.stderr)
                return 2
        else:
            names = resolve(args.lectures, lectures()) if args.lectures else lectures()
            runs = execute(names, args.seeds, args.default_seeds, params, Path(args.out), args.jobs)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    body, targets, problems = analyse(runs, args.min_share)
    seeds = sorted({r.seed for r in runs})
    default = sorted({r.seed for r in runs if r.path == "default"})
    command = " ".join(["python -m benchmarks.claims"] + list(args.lectures)
                       + [f"--seeds {','.join(map(str, sorted({r.seed for r in runs if r.path == 'native'})))}",
                          f"--default-seeds {','.join(map(str, default)) or chr(39) * 2}"]
                       + [f"-p {k} {v}" for k, v in params.items()])
    if args.no_save:
        print(body + "\n\n" + targets.markdown())
    else:
        profile = params.get("PROFILE", "cpu")
        save("claims" if profile == "cpu" else f"claims_{profile}",
             "Claims: spread across seeds and kernel paths" + ("" if profile == "cpu" else f" ({profile} profile)"),
             body, command, seeds=seeds, targets=targets)
    for line in problems:
        print(line, file=sys.stderr)
    return targets.exit_code()


if __name__ == "__main__":
    sys.exit(main())
