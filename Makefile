# The course's commands. On a fresh machine:
#   make lab    - set up .venv (version ranges), then open JupyterLab on the lectures
#   make test   - set up .venv from the lock, then run the whole test suite (what CI runs)
#   make bench  - set up from the lock, run every benchmark, write benchmarks/RESULTS.md
#   make bench-full - the full-profile sections (about 1.5 h on 2 CPU cores)
#   make site   - the course website in build/site/ (open build/site/index.html), offline
# Both installs put torch first (a CPU build on CPU machines), then the rest, so pip
# never pulls a multi-GB CUDA build. `make lab` installs the ranges of
# requirements*.txt (what students get, Colab's versions included); `make test` the
# exact versions of requirements-lock.txt (regenerate with `make lock`).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# torch's pin is [tool.genlib] torch in pyproject.toml (genlib.manifest.pins), read here with sed:
# this runs before any venv exists.
TORCH  ?= torch==$(shell sed -n 's/^torch *= *"\(.*\)"/\1/p' pyproject.toml)
PORT   ?= 8888
TOKEN  ?=
JOBS   ?= 2
BENCH  ?=

# JupyterLab refuses to start as root (containers, cloud VMs) without --allow-root, and
# has no browser to open without a display (Linux with neither X11 nor Wayland).
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root) \
  $(if $(filter Linux,$(shell uname -s)),$(if $(DISPLAY)$(WAYLAND_DISPLAY),,--no-browser)) \
  $(if $(TOKEN),--IdentityProvider.token=$(TOKEN))

.PHONY: lab test test-deps colab-venv system-deps setup setup-locked lock browser-deps site site-deps notebooks check-notebooks bench bench-full clean

# Ranges (make lab, make notebooks).
setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q "pip>=23.1"
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

# The lock (make test, make bench, CI). The lock satisfies the ranges
# (tests/test_lock.py), so it also counts as the ranges' install.
setup-locked: $(VENV)/.locked

$(VENV)/.locked: requirements-lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q "pip>=23.1"
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -r requirements-lock.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@ $(VENV)/.installed

# Regenerate requirements-lock.txt from requirements-dev.txt (pip-tools, in a throwaway
# venv). Existing pins are kept unless UPGRADE=1. torch and genlib are left out (torch is
# installed first, from TORCH); run it where pip finds the CPU build of torch (this
# machine kind: PIP_FIND_LINKS), or its CUDA dependencies end up in the lock.
lock:
	rm -rf $(VENV)-lock && $(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install -q --upgrade pip pip-tools
	echo "$(TORCH)" > $(VENV)-lock/torch.txt
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)-lock/bin/pip-compile -q --strip-extras \
	  --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade) \
	  --unsafe-package torch --unsafe-package genlib --unsafe-package setuptools --unsafe-package pip \
	  -c $(VENV)-lock/torch.txt -o requirements-lock.txt requirements-dev.txt
	rm -rf $(VENV)-lock

# JupyterLab opens on the student copies (lectures/students); the instructor notebooks,
# with the solutions, are one folder up.
lab: setup
	$(BIN)/jupyter lab --notebook-dir=lectures --LabApp.default_url=/lab/tree/students --ServerApp.port=$(PORT) $(LAB_FLAGS)

# Debian's Chromium for the browser test (Playwright never downloads a browser here).
# Under CI=true a missing Chromium fails the browser test (tests/conftest.py).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
	  else echo "chromium not found and cannot be installed here: the browser test will skip (and fail under CI=true)"; fi; }

# The course website: Sphinx (myst-nb, sphinx-book-theme, from the lock) builds build/site/ from the
# committed, executed notebooks (nothing executed again), offline, warnings as errors; about 10 s
# (genlib/course/site.py). MathJax is served with the site: npm's mathjax package, fetched once
# into build/vendor and checked against its SHA-256 (site-deps); nothing else is downloaded.
MATHJAX_VERSION := 3.2.2
MATHJAX_SHA256  := 1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09
MATHJAX         := build/vendor/mathjax-$(MATHJAX_VERSION)

site: setup-locked site-deps
	$(BIN)/python -m genlib.course.site --out build/site

site-deps: $(MATHJAX)/es5/tex-mml-chtml.js

$(MATHJAX)/es5/tex-mml-chtml.js:
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm) >/dev/null; \
	  else echo "npm not found: install Node.js's npm (it fetches MathJax for the site)"; exit 1; fi; }
	rm -rf $(MATHJAX) && mkdir -p $(MATHJAX)
	cd build/vendor && npm pack -q --silent mathjax@$(MATHJAX_VERSION) >/dev/null
	$(PYTHON) -c "import hashlib, sys; f = 'build/vendor/mathjax-$(MATHJAX_VERSION).tgz'; \
	  h = hashlib.sha256(open(f, 'rb').read()).hexdigest(); \
	  sys.exit(0 if h == '$(MATHJAX_SHA256)' else f'{f}: SHA-256 {h}, expected $(MATHJAX_SHA256)')"
	tar -xzf build/vendor/mathjax-$(MATHJAX_VERSION).tgz -C $(MATHJAX) --strip-components=1
	rm build/vendor/mathjax-$(MATHJAX_VERSION).tgz
	touch $@

# Everything make test needs, installed side by side: the two venvs (two pips, each on one core and
# much of the time waiting on the disk or the network), then Chromium and MathJax one after the
# other (both may call apt-get, which takes one lock).
test-deps:
	$(MAKE) --no-print-directory -j 3 setup-locked colab-venv system-deps

colab-venv:
	bash .ci/colab_stack.sh --setup-only

system-deps:
	$(MAKE) --no-print-directory browser-deps
	$(MAKE) --no-print-directory site-deps

# What CI runs (.ci/run, with CI=true: a skip fails). Measured on a clean clone, 2 cores, 8 lectures
# (CONTRIBUTING.md, "Tests", has the table):
#   installs (test-deps)     ~2 min     (both venvs side by side; network-bound, pip's cache warm)
#   pytest -n 2              ~10.5 min  (1,152 tests on ATEN_CPU_CAPABILITY=default: strict nbval of
#                                        every lecture, papermill runs, the 84 mutants (one forked run
#                                        per lecture), the browser and website tests, the unit tests)
#   Colab stack              ~2.7 min   (the 8 student copies at SEED 1, 2 workers)
# about 15.5 minutes in all (15 min 32 s, 2026-12-07 13:38 UTC): the issues ask for 18, CI allows 30.
test: test-deps
	ATEN_CPU_CAPABILITY=default GENLIB_HEADLESS=1 GENLIB_FIGURE_AUDIT=1 $(BIN)/python -m pytest -n $(JOBS) \
	  --dist loadfile -rfEs --durations=20 -m "not colab_stack" tests lectures --nbval --nbval-current-env \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600 -q
	JOBS=$(JOBS) bash .ci/colab_stack.sh

# Notebooks and student copies, from lectures/src (python -m genlib.course build NAME for one).
notebooks: setup
	$(BIN)/python -m genlib.course build

check-notebooks: setup
	$(BIN)/python -m genlib.course check

# Every benchmark (or BENCH="claims vae_speed"), each even after a missed target (marked in
# its section; the exit status is then non-zero); then benchmarks/RESULTS.md from
# benchmarks/results/*.md.
bench: setup-locked
	$(BIN)/python -m benchmarks $(BENCH)

# The full profile (-p PROFILE full, what `auto` picks on a GPU): lecture 05 on the full MNIST,
# lecture 07 on three seeds, lectures 01-06 once; each writes its own section (a missed target
# is reported there and does not stop the others), then RESULTS.md is rebuilt.
bench-full: setup-locked
	-$(BIN)/python -m benchmarks.vae_speed --profile full
	-$(BIN)/python -m benchmarks.wgan_modes --profile full --seeds 0 1 2 --jobs $(JOBS)
	-$(BIN)/python -m benchmarks.evaluation --profile full
	-$(BIN)/python -m benchmarks.claims 01 02 03 04 05 06 --seeds 0 --default-seeds '' -p PROFILE full --jobs $(JOBS)
	$(BIN)/python -c "from benchmarks import common; common.write_results()"

clean:
	rm -rf $(VENV) $(VENV)-lock .venv-colab .pytest_cache runs build
