# The course's commands. On a fresh machine:
#   make lab    - set up, then open JupyterLab on the lectures (offline data by default)
#   make test   - set up, then run the whole test suite (what CI runs)
# Both create .venv with the right install order: torch first (a CPU build on
# CPU machines), then the rest, so pip never pulls a multi-GB CUDA build.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
TORCH  ?= torch==2.13.0
PORT   ?= 8888
JOBS   ?= 2

.PHONY: lab test setup browser-deps notebooks check-notebooks bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

# JupyterLab opens on the student copies (lectures/students); the instructor notebooks,
# with the solutions, are one folder up. As root (containers, cloud VMs) it needs --allow-root.
lab: setup
	$(BIN)/jupyter lab --notebook-dir=lectures --LabApp.default_url=/lab/tree/students \
	  --ServerApp.port=$(PORT) $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# Debian's Chromium for the browser test (Playwright never downloads a browser here).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
	  else echo "chromium not found and cannot be installed here: the browser test will be skipped"; fi; }

test: setup browser-deps
	GENLIB_HEADLESS=1 $(BIN)/python -m pytest -n $(JOBS) --dist loadfile \
	  tests lectures --nbval --nbval-current-env \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600 -q
	bash .ci/colab_stack.sh

# Notebooks and student copies, from lectures/src (python -m genlib.course build NAME for one).
notebooks: setup
	$(BIN)/python -m genlib.course build

check-notebooks: setup
	$(BIN)/python -m genlib.course check

bench: setup
	for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache runs build
