#!/usr/bin/env bash
# Run every lecture under Colab's widget stack: the ipywidgets, IPython and matplotlib
# versions of [tool.genlib] colab in pyproject.toml (Colab's own), in a second virtual
# environment .venv-colab. torch is the course's pin ([tool.genlib] torch), not Colab's
# (older) one: tests/test_lock.py checks that the ranges admit Colab's torch.
# Outputs are not compared (--nbval-lax): the point is that every cell still runs
# with the older widget and IPython APIs.
#
#   bash .ci/colab_stack.sh                        # every lecture
#   bash .ci/colab_stack.sh lectures/01_entropy.ipynb
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

"$VENV/bin/python" - <<'EOF' >&2
import sys, IPython, ipywidgets, matplotlib, torch, genlib
print(f"colab stack: Python {sys.version.split()[0]}, IPython {IPython.__version__}, "
      f"ipywidgets {ipywidgets.__version__}, matplotlib {matplotlib.__version__}, torch {torch.__version__}, "
      f"genlib from {genlib.__file__.rsplit('/', 2)[0]}")
EOF

if [ "$#" -gt 0 ]; then targets=("$@"); else
  # every lecture's notebook, as the manifest lists them
  mapfile -t targets < <("$VENV/bin/python" -c 'from genlib import manifest; print(*manifest.notebooks(), sep="\n")')
fi
workers=()
if [ "${JOBS:-1}" -gt 1 ]; then workers=(-n "$JOBS" --dist loadfile); fi   # a notebook's cells stay in one worker
GENLIB_HEADLESS=1 run "$VENV/bin/python" -m pytest -q -p no:cacheprovider "${workers[@]}" --nbval-lax \
    --nbval-current-env --nbval-cell-timeout=600 "${targets[@]}"
