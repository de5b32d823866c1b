# Offramp — the two commands a newcomer needs are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
JS_STAMP := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# PostgreSQL used by `make test` for the integration tests (pytest-django creates test_offramp in it)
TEST_PG_URL ?= postgres://postgres@127.0.0.1:5432/offramp

.PHONY: install run serve test test-sqlite test-pg lint bench chromium clean

install: $(PY_STAMP) $(JS_STAMP)

$(PY_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# USWDS and htmx come from the npm registry at set-up and are served locally (offices run offline).
$(JS_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

# Debian's Chromium for the end-to-end test (Playwright drives it; no browser download).
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q chromium; }

var/secret_key:
	mkdir -p var
	$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	chmod 600 $@

# Production settings (DEBUG off) with a secret key generated once into var/secret_key.
RUN_ENV := SECRET_KEY_FILE=$(CURDIR)/var/secret_key

run: install var/secret_key
	$(RUN_ENV) $(BIN)/offramp migrate --noinput -v0
	$(RUN_ENV) $(BIN)/offramp demo load
	$(RUN_ENV) $(BIN)/offramp analytics refresh
	$(RUN_ENV) $(BIN)/offramp collectstatic --noinput -v0
	@echo "Offramp is serving on http://$(HOST):$(PORT)/ — demo users are listed in README.md"
	$(RUN_ENV) $(BIN)/gunicorn offramp.web.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile -

# pytest exits 5 when it collected nothing: that is a broken suite, not a pass.
define pytest
	set +e; $(2) $(BIN)/pytest $(1); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; exit $$rc
endef

test: install chromium
	$(call pytest,-q)
	$(MAKE) --no-print-directory test-pg

test-sqlite: install chromium
	$(call pytest,-q)

# The integration tests again, on PostgreSQL. Fails (never skips) if the server is unreachable.
test-pg: install
	@$(BIN)/python -c "import psycopg,sys; psycopg.connect('$(TEST_PG_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=5).close()" \
	  || { echo "PostgreSQL at $(TEST_PG_URL) is unreachable: start it, or set TEST_PG_URL" >&2; exit 1; }
	$(call pytest,-q --create-db tests/integration,DATABASE_URL=$(TEST_PG_URL))

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_queue.py
	$(BIN)/python bench/bench_generate.py
	$(BIN)/python bench/bench_evaluate.py
	$(BIN)/python bench/bench_match.py
	$(BIN)/python bench/bench_simulate.py
	$(BIN)/python bench/bench_dashboards.py

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
