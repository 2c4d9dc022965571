# `make run` and `make test` set up everything they need on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEVSET ?= ../shared/devset
SEEDS_EXPECTED ?= tests/data/seeds_expected.json

# Prefect keeps its state in the project and never phones home.
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: run test test-fast eval validate docs bench bench-incremental sweep clean help

help:
	@echo "make run       set up, then run the pipeline on seeds/ into data/"
	@echo "make test      set up, then run the test suite"
	@echo "make test-fast the unit tests only: no real flow, CLI subprocess, server or browser (under a minute)"
	@echo "make eval      score extraction on the dev set (DEVSET=$(DEVSET)), then on the seeds (SEEDS_EXPECTED=$(SEEDS_EXPECTED))"
	@echo "make validate  validate the published tables in data/ (newsflow validate --data data)"
	@echo "make docs      regenerate docs/tables.md from schemas/"
	@echo "make bench     throughput/memory benchmark, N=1000 articles (N=10000, N=100000)"
	@echo "make bench-incremental  100 new articles on top of 2,000 published vs on top of 100"
	@echo "make sweep     full runs at several chunk sizes on one corpus (SWEEP_N=3000)"

# PYTHONWARNINGS: setuptools' notice that the editable install goes through an import hook (the
# wheel maps schemas/ and seeds/ into the package) is ten lines of no news for a checkout.
$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

# Data Docs' stylesheets and scripts (GE's pages would load them from public CDNs): the npm packages
# pinned in package-lock.json, which flows/validate/docs_assets.py copies into data/docs/. Node.js and
# npm come with the machine; where they do not, Debian's npm brings them.
ASSETS := node_modules/.installed
$(ASSETS): package.json package-lock.json
	@command -v npm >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq npm >/dev/null 2>&1 \
		|| { apt-get update -qq >/dev/null && apt-get install -y -qq npm >/dev/null; }; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

run: $(BIN)/.installed $(ASSETS)
	$(BIN)/newsflow run --input seeds --data data

# The run report test renders data/report/index.html in Debian's headless Chromium.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@echo "installing chromium for the run report test (once)"
	@export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq chromium >/dev/null 2>&1 \
		|| { apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; }

test: $(BIN)/.installed $(ASSETS) $(CHROMIUM)
	$(BIN)/pytest -m "not shared"

# Markers: tests/conftest.py marks e2e (real flow, CLI subprocess, server, browser) and slow.
test-fast: $(BIN)/.installed $(ASSETS)
	$(BIN)/pytest -m "not e2e and not slow and not shared"

# The dev set is not part of the project: without it, `make eval` says so in one line, before
# setting anything up. The seeds are scored too when their expected facts are beside the dev set.
ifneq ($(filter eval,$(MAKECMDGOALS)),)
ifeq ($(wildcard $(DEVSET)/gold.jsonl),)
$(error make eval needs the dev set: no $(DEVSET)/gold.jsonl (DEVSET=folder with gold.jsonl, sources.jsonl and articles/))
endif
endif

eval: $(BIN)/.installed
	$(BIN)/newsflow eval --gold $(DEVSET)/gold.jsonl --articles $(DEVSET)/articles
	$(if $(wildcard $(SEEDS_EXPECTED)),$(BIN)/newsflow eval --gold $(SEEDS_EXPECTED) --articles seeds,@echo "seeds not scored: no $(SEEDS_EXPECTED) (SEEDS_EXPECTED=...)")
	$(if $(wildcard ../shared/golden/seeds_expected.json),$(BIN)/pytest -m shared tests/eval,@echo "no cross-check of the seeds' expected facts: no ../shared/golden/seeds_expected.json")

validate: $(BIN)/.installed $(ASSETS)
	$(BIN)/newsflow validate --data data

docs: $(BIN)/.installed
	$(BIN)/python -m flows.validate.dictionary

N ?= 1000
bench: $(BIN)/.installed
	$(BIN)/python -m bench.run --n $(N)

bench-incremental: $(BIN)/.installed
	$(BIN)/python -m bench.incremental

SWEEP_N ?= 3000
sweep: $(BIN)/.installed
	$(BIN)/python -m bench.sweep --n $(SWEEP_N)

clean:
	rm -rf $(VENV) .prefect data .pytest_cache node_modules
