# The two commands: `make run` serves the portal with demo data, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test test-postgres test-fast bench fuzz lint typecheck lock clean-data

$(VENV)/.run-deps: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-deps: $(VENV)/.run-deps requirements-test.txt
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-test.txt
	touch $@

run: $(VENV)/.run-deps
	PORTAL_DEMO=1 $(PY) -m services.cli seed-demo
	PORTAL_DEMO=1 $(PY) -m streamlit run app.py --server.port $(PORT)

test: $(VENV)/.test-deps
	$(PY) -m pytest
	$(MAKE) test-postgres

# The whole suite again with the store on a throwaway PostgreSQL, the browser's portal with its files in
# the database; the parser fuzz touches no store, and the two-server test and the backup drill name
# their engines themselves: those run once, above.
# The loop while working: the services' own tests on DuckDB, without the slow ones (processes,
# timeouts, scale), PostgreSQL, pages or browser. `make test` is still the whole truth.
test-fast: $(VENV)/.test-deps
	$(PY) -m pytest -q -m "not slow and not postgres and not pages and not browser" \
		tests/services tests/test_layering.py tests/test_log_scan.py tests/test_sendgrid_standin.py

test-postgres: $(VENV)/.test-deps
	PORTAL_TEST_ENGINE=postgres $(PY) -m pytest tests/services tests/pages tests/browser \
		--deselect tests/services/lists/test_fuzz.py --deselect tests/browser/test_two_servers.py \
		--deselect tests/services/operations/test_backup_drill.py

# Pin the whole dependency tree again after changing requirements.in or requirements-test.in.
lock: $(VENV)/.test-deps
	$(PY) -m pip install --quiet pip-tools
	$(PY) -m piptools compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links \
		--output-file requirements.txt requirements.in
	$(PY) -m piptools compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links \
		--output-file requirements-test.txt requirements-test.in

lint: $(VENV)/.test-deps
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

typecheck: $(VENV)/.test-deps
	$(PY) -m mypy

bench: $(VENV)/.test-deps
	$(PY) tests/bench.py

# 10 000 hostile files through the parse worker (make test runs 2 000 of them).
fuzz: $(VENV)/.test-deps
	$(PY) -m tests.fuzz --count 10000

clean-data:
	rm -rf data
