# shopkpi: every target sets itself up from a bare python3 (venv + locked install).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9

export SHOPKPI_HOME ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(SHOPKPI_HOME)/dagster_home
# nothing phones home
export DO_NOT_TRACK := 1
export DAGSTER_DISABLE_TELEMETRY := 1
export GX_ANALYTICS_ENABLED := False
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export STREAMLIT_BROWSER_GATHER_USAGE_STATS := false

DASH_PORT ?= 8501
DAGSTER_PORT ?= 3000
BENCH_ORDERS ?= 1000000
# a real catalogue: many SKUs, most sold a few times, a marketplace shop's exports only
BENCH_CATALOGUE_ORDERS ?= 200000
BENCH_SKUS ?= 10000
BENCH_SOURCES ?= orders,logistics,products,fx_rates

.PHONY: help setup run pipeline demo test test-slow lint format docs bench bench-pages screenshot browser-deps clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.synced: pyproject.toml uv.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip --upgrade >/dev/null
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	# bytecode at install: PYTHONDONTWRITEBYTECODE is set here, and every process would
	# otherwise compile dagster, dbt and GX again
	UV_COMPILE_BYTECODE=1 UV_PROJECT_ENVIRONMENT=$(VENV) $(VENV)/bin/uv sync --frozen --quiet
	touch $@

setup: $(VENV)/.synced ## create .venv and install the locked dependencies
	$(PY) -m pipelines.cli prepare

demo: setup ## write the demo shop's exports into the inbox if it is empty
	$(PY) -m pipelines.cli demo-if-empty

pipeline: setup ## run the whole build once on what is in the inbox, headless (FULL=1: even if nothing changed)
	$(PY) -m pipelines.cli build $(if $(filter 1 yes true,$(FULL)),--full)

run: demo ## set up, build the demo shop, serve dashboards (:8501) and Dagster (:3000)
	$(PY) -m pipelines.cli build
	$(PY) -m pipelines.serve --dashboards-port $(DASH_PORT) --dagster-port $(DAGSTER_PORT)

test: setup browser-deps ## run the whole test suite (installs headless Chromium if missing)
	$(VENV)/bin/pytest -m "not slow" -n 2 --durations=15

test-slow: setup ## the opt-in slow tier
	$(VENV)/bin/pytest -m slow

lint: setup ## ruff (format + check) and sqlfluff
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	# the dbt templater opens a profile: point it at a throw-away home, not the real warehouse
	cd dbt_project && SHOPKPI_HOME=$$(mktemp -d) ../$(VENV)/bin/sqlfluff lint models tests

format: setup ## apply ruff and sqlfluff fixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	cd dbt_project && SHOPKPI_HOME=$$(mktemp -d) ../$(VENV)/bin/sqlfluff fix models tests

docs: setup ## build the dbt docs site (every model and column described) into SHOPKPI_HOME/docs/
	cd dbt_project && ../$(VENV)/bin/dbt docs generate --static --quiet --profiles-dir .
	mkdir -p $(SHOPKPI_HOME)/docs && cp dbt_project/target/static_index.html $(SHOPKPI_HOME)/docs/dbt-docs.html
	@echo "open $(SHOPKPI_HOME)/docs/dbt-docs.html"

bench: setup ## time `make pipeline` on a generated shop (BENCH_ORDERS lines), then a real catalogue
	$(PY) -m pipelines.bench --orders $(BENCH_ORDERS)
	$(PY) -m pipelines.bench --orders $(BENCH_CATALOGUE_ORDERS) --skus $(BENCH_SKUS) \
	  --sources $(BENCH_SOURCES)

browser-deps: ## Debian's headless Chromium and CJK fonts, for page tests and screenshots
	@command -v chromium >/dev/null && fc-list :lang=zh | grep -q . || \
	  { apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

screenshot: setup browser-deps ## screenshot every page of the current SHOPKPI_HOME into docs/screenshots/
	@$(PY) -m dashboards.server --server.address 127.0.0.1 --server.port 8598 --server.headless true \
	  >/dev/null 2>&1 & pid=$$!; $(PY) -m tests.e2e.browser http://127.0.0.1:8598 docs/screenshots; \
	status=$$?; kill $$pid; exit $$status

bench-pages: setup browser-deps ## time every page in Chromium on the current SHOPKPI_HOME (make run first)
	$(PY) -m tests.e2e.bench_pages

clean: ## remove the venv and build output (keeps data/)
	rm -rf $(VENV) dbt_project/target dbt_project/logs .cache .pytest_cache .ruff_cache
