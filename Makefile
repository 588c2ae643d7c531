# 江苏省科技资源统筹服务平台 — developer commands (see README.md)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app marketplace
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: run test test-pg bench install clean-index translations vendor

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate setup.cfg pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	@mkdir -p instance && test -s instance/secret_key || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(48))" > instance/secret_key
	$(FLASK) init-db
	$(FLASK) seed-demo --if-empty
	$(FLASK) search rebuild
	bash scripts/run.sh

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

test-pg: install
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/run.py

# Front-end libraries vendored into static/vendor/ (committed): re-fetch them from the npm registry.
vendor:
	bash scripts/vendor_echarts.sh

# English catalog: re-extract the Chinese source strings, merge them into
# marketplace/translations/en/LC_MESSAGES/messages.po (translate new/fuzzy entries there), compile the .mo.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --sort-by-file -o messages.pot .
	$(BIN)/pybabel update -i messages.pot -d marketplace/translations -l en --width 100 --no-fuzzy-matching --ignore-obsolete
	rm -f messages.pot
	$(BIN)/pybabel compile -d marketplace/translations --statistics
