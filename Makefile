# One Makefile whose targets CI calls too.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_LOGGING_LEVEL ?= WARNING
export PYTHONHASHSEED := 0

DEMO_DIR := data/demo
DEMO_AS_OF := 2026-11-20
DEMO_PERSONS := 20000
DEMO_SEED := 7

.PHONY: install demo test lint format bench bench-nightly bench-quarterly bench-linkage lock clean

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

install: $(VENV)/.installed

$(DEMO_DIR)/.generated: $(VENV)/.installed
	$(VENV)/bin/recon synth --persons $(DEMO_PERSONS) --seed $(DEMO_SEED) --as-of $(DEMO_AS_OF) --out $(DEMO_DIR)
	touch $@

demo: $(DEMO_DIR)/.generated
	$(VENV)/bin/recon nightly --input $(DEMO_DIR)/input --db data/out/recon.duckdb --as-of $(DEMO_AS_OF) --district 330114

test: install
	$(PY) -m pytest -q -m "not slow" tests

lint: install
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests

format: install
	$(VENV)/bin/ruff format src tests
	$(VENV)/bin/ruff check --fix src tests

# every figure the issues ask for (about an hour on 2 cores): generator, ingest and addresses at
# 1M, the nightly run (two nights at 1M, scored), linkage, quarterly statements, review app
bench: install
	$(PY) benchmarks/bench.py all
	$(PY) benchmarks/bench.py nightly
	$(MAKE) bench-linkage bench-quarterly demo bench-review

bench-nightly: install
	$(PY) benchmarks/bench.py nightly

# quarterly statements: accuracy on a 20k district with truth, then all statements and workbooks
# of the 1M district (needs data/bench/district_1000000 from `benchmarks/bench.py synth`)
bench-quarterly: install
	$(PY) benchmarks/quarterly_bench.py all

# person linkage: this engine vs Splink (rapidfuzz UDFs and default comparisons) vs recordlinkage
# on FEBRL4, FEBRL3 and the synthetic district at 100k and 1M persons; table in docs/benchmarks.md
bench-linkage: install
	$(PY) benchmarks/linkage_bench.py all

# review app: queue and case page p95 with 100,000 open findings, 20 reviewers deciding while a
# nightly run publishes (needs `make demo`; run alone: flock /tmp/recon-heavy.lock make bench-review)
.PHONY: bench-review
bench-review: install
	$(PY) benchmarks/review_bench.py

lock:
	rm -rf /tmp/recon-lock-venv && $(PYTHON) -m venv /tmp/recon-lock-venv
	/tmp/recon-lock-venv/bin/pip install --quiet -e '.[dev]'
	{ echo "# Lock file: every package pinned to a known-good set (see ARCHITECTURE.md pins)."; \
	  echo "# Regenerate with 'make lock' after changing pyproject.toml dependencies."; \
	  /tmp/recon-lock-venv/bin/pip freeze --exclude-editable | sort -f; } > requirements.lock

clean:
	rm -rf data/out $(DEMO_DIR)
