# The two commands a new user runs (see README.md):
#   make demo   - set up and run the demo on the embedded SQLite store
#   make test   - set up and run lint, type checks and the whole test suite (SQLite and PostgreSQL)
#   make resilience - the resilience suite at campaign size, with a summary table

VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test setup system-deps postgres nats lint typecheck pytest bench resilience clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP) system-deps

# Graphviz draws genograms; poppler's pdftoppm renders PDFs in the tests; nats-server is the
# JetStream broker `caseledger publish` relays the feed to; Debian's chromium is the browser the
# web app's tests (tests/browser) drive through Playwright.
system-deps:
	@command -v dot >/dev/null && command -v pdftoppm >/dev/null && command -v nats-server >/dev/null \
	  && test -x /usr/bin/chromium || \
	  (apt-get update -qq && apt-get install -y -qq graphviz poppler-utils nats-server chromium chromium-driver >/dev/null)

postgres:
	@scripts/ci/ensure_postgres.sh

nats:
	@scripts/ci/ensure_nats.sh

demo: setup
	$(BIN)/caseledger demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy domain policies projections adapters scripts

pytest: setup postgres nats
	$(BIN)/pytest tests

test: lint typecheck pytest

# The resilience suite at campaign size on both engines (kills, fuzzing, tampering, outages,
# load) with a summary table; `make test` runs the same tests at CI size.
resilience: setup postgres
	$(BIN)/python -m scripts.resilience_summary

bench: setup postgres
	$(BIN)/python -m scripts.bench --size small

clean:
	rm -rf $(VENV) caseledger-demo.db*
