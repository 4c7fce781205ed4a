# Two commands set everything up on a fresh Debian machine:
#   make report   build every bundled report (params/ -> outputs/)
#   make test     lint, type-check and run the test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# mypy's cache lives in the venv and setup fills it: `make typecheck` then re-analyses only the
# project's modules, not the installed packages (≈ 5 CPU-s instead of ≈ 33 on a clean clone)
MYPY := $(VENV)/bin/mypy --cache-dir $(VENV)/mypy_cache
JOBS ?=

.PHONY: setup system fonts report check test lint typecheck pytest lab clean

setup: system fonts $(STAMP)
	@# the PDF's fonts by role (宋/黑/楷): says which family stands in for a missing one
	@$(PY) -m disclosure_lib.rendering.pdf_fonts
	@# bytecode for our own modules: PYTHONDONTWRITEBYTECODE environments (CI) otherwise
	@# recompile them in every process a build starts
	@$(PY) -m compileall -q disclosure_lib

system:
	@scripts/ensure-system.sh

# the Fandol faces (仿宋/黑/楷/宋) for the PDF into fonts/fandol/ (not committed)
fonts:
	@scripts/fetch-fonts.sh

$(STAMP): pyproject.toml | system
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@# fonts may have been installed after matplotlib first built its cache: rebuild it
	@# (fails with what to install when no CJK font is found: never a report with missing glyphs)
	$(PY) -m disclosure_lib.rendering.fonts --rebuild-cache
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	-$(MYPY) >/dev/null
	touch $(STAMP)

report: setup
	$(VENV)/bin/disclosure build params $(if $(JOBS),-j $(JOBS))

check: setup
	$(VENV)/bin/disclosure check params

lint: setup
	$(VENV)/bin/ruff check disclosure_lib tests benchmarks
	$(VENV)/bin/ruff format --check disclosure_lib tests benchmarks

typecheck: setup
	$(MYPY)

# two xdist workers, whole modules each (module fixtures made once), the modules reading the
# session's shared outputs on one worker, slow modules first (tests/conftest.py)
TEST_WORKERS ?= 2
pytest: setup
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadgroup

test: lint typecheck pytest

# JupyterLab on notebooks/ with the project's kernel. It refuses to run as root unless told to
# (the README sets up as root); a root session has no browser to open either, so the URL with
# its token is what JupyterLab prints. LAB_PORT=N picks another port.
LAB_PORT ?= 8888
LAB_ROOT = $(if $(filter 0,$(shell id -u)),--allow-root --no-browser)

lab: setup
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --port=$(LAB_PORT) $(LAB_ROOT)

clean:
	rm -rf outputs .pytest_cache .mypy_cache .ruff_cache
