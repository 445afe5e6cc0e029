# newsflow: two commands for a new user.
#   make demo   install everything, start a local Kafka, run the pipeline end to end
#   make test   install everything, run the whole test suite (it starts its own broker, and a
#               three-broker cluster for the cluster faults; `make test-cluster` runs those alone)
# Then, to browse what the pipeline found: make explore (broker, database, worker, sink and the
# explorer on the seeds; it prints the URL, Ctrl-C stops what it started).
# The documentation beyond the README: make docs builds docs/ into site/.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
KAFKA  := deploy/local/kafka.sh
POSTGRES := deploy/local/postgres.sh
STAMP  := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install system-deps kafka-jars demo explore docs bench eval test test-unit test-integration test-cluster lint kafka-start kafka-stop postgres-start postgres-stop clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

system-deps: ## Debian packages the tests use (kcat, postgresql, chromium and its driver)
	deploy/local/install-system-deps.sh

kafka-jars: ## resolve the Kafka broker jars from Maven Central (cached)
	$(KAFKA) jars >/dev/null

install: $(STAMP) system-deps kafka-jars ## Python venv, Debian packages and Kafka jars

demo: install ## run the pipeline end to end on a local broker (reused if running)
	@if $(KAFKA) status >/dev/null 2>&1; then started=0; echo "demo: reusing the running broker"; \
	 else $(KAFKA) start || exit 1; started=1; fi; \
	 $(BIN)/newsflow demo; rc=$$?; \
	 if [ $$started = 1 ]; then $(KAFKA) stop; fi; \
	 exit $$rc

explore: install ## broker, database, worker, sink and the explorer on the seeds; prints the URL, Ctrl-C stops
	deploy/local/explore.sh

# Only the venv: the pages need neither the Debian packages nor the Kafka jars. -E reads every
# page afresh, so a warning cannot hide in Sphinx's cache of a page that did not change.
docs: $(STAMP) ## build the documentation (docs/) into site/ with Sphinx; any warning fails it
	$(BIN)/sphinx-build -W --keep-going -E -q -b html docs site
	@echo "docs: site/index.html"

BENCH_ARGS ?= --soak 10000 --output bench.json

bench: install ## benchmark against bare spaCy and a plain Kafka loop (about 30 min on 2 cores; BENCH_ARGS to change)
	@if $(KAFKA) status >/dev/null 2>&1; then started=0; else $(KAFKA) start || exit 1; started=1; fi; \
	 $(BIN)/newsflow bench $(BENCH_ARGS); rc=$$?; \
	 if [ $$started = 1 ]; then $(KAFKA) stop; fi; \
	 exit $$rc

eval: install ## score entities and claims against the gold in seeds/eval, ours vs stock spaCy
	$(BIN)/newsflow eval

test: install ## the whole suite: unit tests, then integration tests on a real broker
	$(BIN)/python -m pytest

test-unit: install ## unit tests only (no broker)
	$(BIN)/python -m pytest -m "not integration"

test-integration: install ## integration tests only (they start and stop their own broker)
	$(BIN)/python -m pytest -m integration

# Part of `make test` too (about 5 minutes on 2 cores): a target of its own to run them alone.
test-cluster: install ## faults on a three-broker cluster (kafka.sh KAFKA_NODES=3), with recovery times
	$(BIN)/python -m pytest -m cluster -s

lint: install ## ruff and mypy
	$(BIN)/ruff check workers tests
	$(BIN)/mypy workers

kafka-start: ## start the local broker on 127.0.0.1:9092
	$(KAFKA) start

kafka-stop: ## stop the local broker
	$(KAFKA) stop

postgres-start: ## start the local PostgreSQL on 127.0.0.1:5432 (roles newsflow, newsflow_reader)
	$(POSTGRES) start

postgres-stop: ## stop the local PostgreSQL
	$(POSTGRES) stop

clean: ## remove the venv, caches and the built docs (not the Kafka jar cache)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis site
