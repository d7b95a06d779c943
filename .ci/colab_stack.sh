#!/usr/bin/env bash
# Run every lecture under Colab's widget stack: the ipywidgets, IPython and matplotlib
# versions of [tool.genlib] colab in pyproject.toml (Colab's own), in a second virtual
# environment .venv-colab. torch is the course's pin ([tool.genlib] torch), not Colab's
# (older) one: tests/test_lock.py checks that the ranges admit Colab's torch.
# With no argument it runs the tests marked colab_stack: every lecture's *student copy*, at
# SEED 1, to the end (what a student on Colab runs first: Run All before any exercise is
# done, genlib's references standing in), on the native kernel path. With notebooks as
# arguments it runs those under nbval-lax (every cell must run; outputs are not compared).
#
#   bash .ci/colab_stack.sh                        # every lecture's student copy, SEED 1
#   bash .ci/colab_stack.sh lectures/01_entropy.ipynb
#   bash .ci/colab_stack.sh --setup-only           # the venv only (make test builds it beside .venv)
#
# Idempotent: the venv is created once and re-installed only when
# requirements*.txt, pyproject.toml or this script change (a stamp holds their
# hash), so a second call goes straight to the tests.
# Environment: PYTHON (default python3), COLAB_VENV (default .venv-colab), JOBS (pytest-xdist
# workers, default 1; `make test` passes its JOBS).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=${COLAB_VENV:-.venv-colab}
STAMP="$VENV/.installed"

run() { echo "+ $*" >&2; "$@"; }

want=$(cat requirements.txt requirements-dev.txt pyproject.toml "$0" | sha256sum | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  echo "colab stack: setting up $VENV" >&2
  [ -x "$VENV/bin/python" ] || run "$PY" -m venv "$VENV"
  # Colab's widget stack as constraints, so every requirement resolves against them (the
  # patch level of matplotlib left free). torch first and pinned to the course's build: a
  # range in a fresh venv pulls a multi-GB CUDA build.
  "$PY" - > "$VENV/colab-constraints.txt" <<'EOF'
import re, tomllib
genlib = tomllib.load(open("pyproject.toml", "rb"))["tool"]["genlib"]
print(f"torch=={genlib['torch']}")
for name in ("ipywidgets", "ipython", "matplotlib"):
    v = genlib["colab"][name]
    print(f"{name}=={re.sub(r'[.]0$', '.*', v) if name == 'matplotlib' else v}")
EOF
  # requirements-dev.txt and requirements.txt without their '-r' / '-e .' lines and
  # without playwright (the browser test does not run here); genlib itself comes
  # from the working tree through a .pth file (editable, nothing built or written
  # into the tree).
  grep -hvE '^\s*(#|-r|-e|$)|^playwright' requirements.txt requirements-dev.txt > "$VENV/colab-requirements.txt"
  run "$VENV/bin/python" -m pip install -q "$(grep '^torch==' "$VENV/colab-constraints.txt")"
  run "$VENV/bin/python" -m pip install -q -c "$VENV/colab-constraints.txt" \
      $(grep -v '^torch==' "$VENV/colab-constraints.txt") -r "$VENV/colab-requirements.txt"
  site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  echo "$PWD" > "$site/genlib-worktree.pth"
  echo "$want" > "$STAMP"
fi
if [ "${1:-}" = "--setup-only" ]; then exit 0; fi

"$VENV/bin/python" - <<'EOF' >&2
import sys, IPython, ipywidgets, matplotlib, torch, genlib
print(f"colab stack: Python {sys.version.split()[0]}, IPython {IPython.__version__}, "
      f"ipywidgets {ipywidgets.__version__}, matplotlib {matplotlib.__version__}, torch {torch.__version__}, "
      f"genlib from {genlib.__file__.rsplit('/', 2)[0]}")
EOF

workers=()
# a notebook's cells stay in one worker; the student copies are shared out one by one (SPREAD in
# tests/conftest.py)
if [ "${JOBS:-1}" -gt 1 ]; then workers=(-n "$JOBS" --dist loadfile); fi
if [ "$#" -gt 0 ]; then
  GENLIB_HEADLESS=1 run "$VENV/bin/python" -m pytest -q -p no:cacheprovider "${workers[@]}" --nbval-lax \
      --nbval-current-env --nbval-cell-timeout=600 "$@"
else
  # every lecture's student copy, run to the end at SEED 1 on the native kernel path (the tests
  # marked colab_stack: tests/test_papermill.py)
  GENLIB_HEADLESS=1 run "$VENV/bin/python" -m pytest -q -p no:cacheprovider "${workers[@]}" -rfEs \
      --durations=8 -m colab_stack tests/test_papermill.py
fi
