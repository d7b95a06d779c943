"""The command line of the course tools: ``python -m genlib.course COMMAND``."""
from __future__ import annotations

import argparse
import signal
import sys
import tempfile
from pathlib import Path

from . import notebooks, parameters, records, registry, runner, students, summary
from .registry import LECTURES, STUDENTS, UsageError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

RUN_HELP = """Execute lectures with papermill and parameters, several at once, into an output folder:
<out>/NAME.ipynb (executed), NAME.log, NAME.run.json (what the lecture recorded, status,
parameters) and report.md (every lecture in the folder). Every parameter is checked
against each lecture's own genlib.validate(...) call before any kernel starts. A failing
lecture does not stop the others. Ctrl-C or SIGTERM stops the running lectures and records
them as interrupted. Exit status: 0 every lecture passed, 1 a lecture failed, 2 bad input
(nothing run), 128 + the signal number when interrupted.
Examples: run 02 kl_js 05_vae -p PROFILE cpu -p SEED 1 --jobs 2 --out runs/;
run --params params.yaml --resume (params.yaml: {all: {PROFILE: cpu}, 05_vae: {EPOCHS: 3}};
-p beats the lecture's entry, which beats all)."""


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m genlib.course",
                                 description="The course tools: run lectures, build notebooks and student copies.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="execute lectures with parameters and write report.md", description=RUN_HELP)
    r.add_argument("lectures", nargs="*", help="lectures to run: 02, 02_kl_js or kl_js (default: all)")
    r.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                   help="a parameter for every lecture that declares it (repeatable), read like papermill's -p")
    r.add_argument("--params", metavar="YAML", help="parameters file: {all: {...}, 05_vae: {...}}")
    r.add_argument("--jobs", "-j", type=int, default=1, help="lectures run at once (default 1)")
    r.add_argument("--out", default="runs", help="output folder (default runs/)")
    r.add_argument("--resume", action="store_true",
                   help="skip lectures whose last run in --out passed with the same notebook and parameters")
    r.add_argument("--timeout", type=float, default=1800, help="seconds allowed per cell (default 1800)")
    r.add_argument("--lectures-dir", default=str(LECTURES), help=argparse.SUPPRESS)
    s = sub.add_parser("students", help="write the student copies (solutions stubbed), or --check them",
                       description=students.__doc__.split("\n\n")[0])
    s.add_argument("lectures", nargs="*", help="lectures (default: all)")
    s.add_argument("--out", default=str(STUDENTS), help="where the copies live (default lectures/students/)")
    s.add_argument("--check", action="store_true", help="execute every student copy and list each exercise's "
                   "state (not done yet / done) instead of building")
    s.add_argument("--jobs", "-j", type=int, default=1, help="with --check: copies run at once (default 1)")
    s.add_argument("--lectures-dir", default=str(LECTURES), help=argparse.SUPPRESS)
    b = sub.add_parser("build", help="execute lectures from their sources; write the notebooks and student copies")
    b.add_argument("lectures", nargs="*", help="lectures (default: all)")
    b.add_argument("--no-run", action="store_true", help="write without executing")
    sub.add_parser("check", help="fail when a notebook or a student copy is out of date with its source")
    sub.add_parser("badges", help="print the README's Colab and Binder badge lines")
    return ap


def _writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"cannot write to the output folder {out}: {exc.strerror or exc}.") from None


def _jobs(n: int) -> int:
    if n < 1:
        raise UsageError(f"--jobs must be an integer >= 1; got {n}.")
    return n


def _interrupted(outcome) -> int:
    hit = [r["lecture"] for r in outcome.records if r.get("status") == "interrupted"]
    print(f"stopped by {outcome.signal}: interrupted {', '.join(hit) or 'nothing'}; "
          f"not started: {', '.join(outcome.not_started) or 'nothing'}.", file=sys.stderr)
    return 128 + int(signal.Signals[outcome.signal])


def cmd_run(args) -> int:
    lectures_dir, out = Path(args.lectures_dir).resolve(), Path(args.out)
    known = registry.discover(lectures_dir)
    if not known:
        raise UsageError(f"no lectures (NN_name.ipynb) in {lectures_dir}.")
    names = registry.resolve(args.lectures, known) if args.lectures else known
    jobs = _jobs(args.jobs)
    shared, per = parameters.load_params_file(args.params, known) if args.params else ({}, {})
    shared.update({k: parameters.parse_value(v) for k, v in args.parameter})
    planned, warnings = parameters.plan(names, lectures_dir, shared, per)
    for w in warnings:
        print(f"WARNING: {w}", file=sys.stderr)
    if out.resolve() in (lectures_dir, LECTURES.resolve(), STUDENTS.resolve()):
        raise UsageError(f"--out {out} would overwrite the lecture notebooks; choose another folder.")
    _writable(out)
    for key in shared:
        takers = [n for n in names if key in planned[n]]
        if len(takers) < len(names):
            print(f"note: {key} goes to {', '.join(takers)} only (the others do not declare it).")
    with runner.locked(out):
        outcome = runner.run(names, planned, lectures_dir, out, jobs=jobs, resume=args.resume, timeout=args.timeout)
        report = summary.write(out, outcome.records, outcome.signal)
    bad = [r["lecture"] for r in outcome.records if r.get("status") not in ("ok", "not started")]
    print(f"{len(names) - len(bad) - len(outcome.not_started)} of {len(names)} lectures passed; report: {report}")
    if outcome.signal:
        return _interrupted(outcome)
    if bad:
        print(f"did not pass: {', '.join(f'{n} ({records.status_text(records.read(out, n) or {})})' for n in bad)}",
              file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_students(args) -> int:
    out = Path(args.out)
    if not args.check:
        lectures_dir = Path(args.lectures_dir)
        known = registry.discover(lectures_dir)
        names = registry.resolve(args.lectures, known) if args.lectures else known
        for n, count in students.build(names, lectures_dir, out):
            print(f"{n}: {count} exercise{'s' if count != 1 else ''} stubbed -> {out / (n + '.ipynb')}")
        return EXIT_OK
    known = registry.discover(out)
    if not known:
        raise UsageError(f"no student copies (NN_name.ipynb) in {out}; build them first.")
    names = registry.resolve(args.lectures, known) if args.lectures else known
    planned, _ = parameters.plan(names, out, {}, {})
    with tempfile.TemporaryDirectory(prefix="genlib-students-") as tmp, runner.locked(Path(tmp)):
        outcome = runner.run(names, planned, out.resolve(), Path(tmp), jobs=_jobs(args.jobs))
    print("\n".join(students.preview(outcome.records)))
    if outcome.signal:
        return _interrupted(outcome)
    return EXIT_OK if all(r.get("status") == "ok" for r in outcome.records) else EXIT_FAILED


def cmd_build(args) -> int:
    known = registry.lectures()
    names = registry.resolve(args.lectures, known) if args.lectures else known
    for n in names:
        print(f"{n}: built in {notebooks.build(n, run=not args.no_run):.1f} s")
    for n, count in students.build(names):
        print(f"{n}: student copy, {count} exercise{'s' if count != 1 else ''} stubbed")
    return EXIT_OK


def cmd_check(args) -> int:
    known = registry.lectures()
    stale = notebooks.out_of_date(known)
    copies = [n for n in students.out_of_date([n for n in known if n not in stale])]
    extra = sorted(set(registry.discover(LECTURES)) - set(known)) + sorted(set(registry.discover(STUDENTS)) - set(known))
    for what, names in (("notebooks out of date with their source", stale),
                        ("student copies out of date with their notebook", copies),
                        ("notebooks without a source in lectures/src", extra)):
        if names:
            print(f"{what}: {', '.join(names)}")
    if stale or copies or extra:
        print("rebuild: python -m genlib.course build NAME (students only: python -m genlib.course students)")
        return EXIT_FAILED
    print("all notebooks and student copies match their sources")
    return EXIT_OK


def cmd_badges(args) -> int:
    from . import colab

    cfg = colab.config()
    print(colab.badge_markdown("01_entropy", folder=students.folder_in_repository(), **cfg))
    print(colab.binder_badge_markdown(**cfg))
    return EXIT_OK


COMMANDS = {"run": cmd_run, "students": cmd_students, "build": cmd_build, "check": cmd_check, "badges": cmd_badges}


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.cmd](args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted before any lecture started; nothing was written.", file=sys.stderr)
        return 128 + signal.SIGINT
