# Trygg: two commands do all the set-up (see README.md).
#   make demo   the app with demo data on SQLite at http://127.0.0.1:5000
#   make test   the whole test suite (set TEST_DATABASE_URL to run it on PostgreSQL as well)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CATALOGS := $(wildcard translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
DEMO_ENV := TRYGG_ENV=development
PYTEST_ARGS ?= -n auto

.PHONY: demo test lint translations bench clean

$(INSTALLED): pyproject.toml
	PYTHON=$(PYTHON) sh scripts/ensure-system.sh python
	sh scripts/ensure-system.sh pdf
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

translations/%.mo: translations/%.po $(INSTALLED)
	$(BIN)/pybabel compile -i $< -o $@ >/dev/null

demo: $(INSTALLED) $(COMPILED)
	mkdir -p instance
	$(DEMO_ENV) $(BIN)/trygg db upgrade
	$(DEMO_ENV) $(BIN)/trygg demo
	$(DEMO_ENV) $(BIN)/trygg serve

test: $(INSTALLED) $(COMPILED)
	sh scripts/ensure-system.sh browser
	sh scripts/ensure-system.sh proxy
	sh scripts/ensure-system.sh tools
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/mypy

translations: $(INSTALLED)
	$(BIN)/python scripts/i18n.py update

bench: $(INSTALLED)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	$(BIN)/python benchmarks/analysis.py
	$(BIN)/python benchmarks/insights.py
	$(BIN)/python benchmarks/load.py --database sqlite
	$(BIN)/python benchmarks/load.py --database postgresql

clean:
	rm -rf $(VENV) node_modules translations/*/LC_MESSAGES/*.mo
