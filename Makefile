# The two commands: `make demo` and `make test`. Nothing else needs installing by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

DEMO_ENV := NETTPATRULJE_DEMO=1 NETTPATRULJE_REQUIRE_2FA=$${NETTPATRULJE_REQUIRE_2FA:-0} META_APP_SECRET=$${META_APP_SECRET:-demo-app-secret} \
	META_VERIFY_TOKEN=$${META_VERIFY_TOKEN:-demo-verify-token}

.PHONY: demo test test-postgres lint format install browser-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(DEMO_ENV) $(BIN)/nettpatrulje migrate --noinput
	$(DEMO_ENV) $(BIN)/nettpatrulje demo

# Chromium for the browser tests, from Debian's packages (no browser download).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || \
	  { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "chromium could not be installed: browser tests will be skipped"; }

test: $(STAMP) browser-deps
	$(BIN)/ruff format --check src bench conftest.py
	$(BIN)/ruff check src bench conftest.py
	$(BIN)/pytest -n 2 -q

test-postgres: $(STAMP)
	DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test $(BIN)/pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff format --check src bench conftest.py
	$(BIN)/ruff check src bench conftest.py

format: $(STAMP)
	$(BIN)/ruff format src bench conftest.py
	$(BIN)/ruff check --fix src bench conftest.py

clean:
	rm -rf $(VENV) var test-artifacts
