# The two set-up commands of the README: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
CKSUM := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
STAMP := $(VENV)/.installed-$(CKSUM)
# `make demo` installs only what the demo needs: the package and its runtime dependencies.
DEMO_STAMP := $(VENV)/.demo-$(CKSUM)

.PHONY: demo test test-fast lint format bench clean venv reference

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

$(DEMO_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	rm -f $(VENV)/.demo-*
	touch $(DEMO_STAMP)

venv: $(STAMP)

# A day of tickets replayed with every decision explained, then a simulated week of a web
# shop (the same recipes, office hours): as configured, under least loaded and with one
# more agent, side by side.
demo: $(DEMO_STAMP)
	$(BIN)/python -m helpdesk_routing.cli demo
	$(BIN)/python -m helpdesk_routing.simulation.demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples
	$(BIN)/mypy --strict src

# docs/reference.md, the index of the public names (tests/test_docs.py checks it is current).
reference: $(STAMP)
	$(BIN)/python -m tests.reference_page > docs/reference.md

format: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks examples
	$(BIN)/ruff format src tests benchmarks examples

# The suite runs on one pytest-xdist worker per core, at most four (each worker starts its
# own PostgreSQL server and Dask clusters); `make test TEST_JOBS=1` runs it in one process.
TEST_JOBS ?= $(shell n=$$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2); [ "$$n" -gt 4 ] && n=4; echo $$n)
XDIST := -n $(TEST_JOBS) --dist worksteal

# Branch coverage of the package, with a floor (95% when this was set). Tests marked
# `serial` (PostgreSQL units stopped at chosen locks) run alone after the parallel run;
# tests marked `untraced` (heavy repetitions of code smaller tests cover) run with the
# coverage tracer off (tests/conftest.py).
test: lint
	$(BIN)/python -m pytest $(XDIST) -m "not serial" --cov=helpdesk_routing --cov-branch --cov-report=
	$(BIN)/python -m pytest -m serial --cov=helpdesk_routing --cov-branch --cov-append --cov-report=term:skip-covered --cov-fail-under=93

test-fast: $(STAMP)
	$(BIN)/python -m pytest $(XDIST) -m "not slow and not serial" -x -q
	$(BIN)/python -m pytest -m "serial and not slow" -x -q

bench: $(STAMP)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist
