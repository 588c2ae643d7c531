# 江苏省科技资源统筹服务平台 — developer commands (see README.md)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app marketplace
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=
# Tests run in parallel, one pytest-xdist worker per core (each with its own database); PYTEST_WORKERS=0 runs
# them in this process (for a debugger, or -x on one file).
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(PYTEST_WORKERS)

.PHONY: run run-full serve worker scheduler prepare test test-pg test-fast bench bench-quick install clean-index translations vendor lint lock screenshots backup restore soak soak-ci

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Exact versions from the lock (requirements/*.txt, compiled from setup.cfg by `make lock`), so a fresh
# machine gets what the tests ran with; then the package itself without resolving anything again.
$(VENV)/.installed: $(BIN)/activate requirements/dev.txt setup.cfg pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

# make run's start is quiet: the demo's mails go to instance/mail.log (MAIL_BACKEND=file), not the console.
prepare run run-full: export MAIL_BACKEND ?= file
prepare: install
	@mkdir -p instance && test -s instance/secret_key || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(48))" > instance/secret_key
	$(FLASK) init-db
	$(FLASK) seed-demo --if-empty
	$(FLASK) search rebuild --if-stale

# Development server; jobs run in-process after each commit (no broker needed).
run: prepare
	bash scripts/run.sh

# gunicorn from marketplace/deploy/gunicorn.conf.py (workers from the cores; GUNICORN_BIND, WEB_CONCURRENCY, …).
serve: install
	$(BIN)/gunicorn -c marketplace/deploy/gunicorn.conf.py

# Web (gunicorn) + RQ worker + RQ cron scheduler with jobs through Redis (JOBS_BROKER_URL, default db 0).
run-full: prepare
	bash scripts/run_full.sh

worker: install
	$(FLASK) worker

scheduler: install
	$(FLASK) scheduler

test: install
	$(PYTEST) $(PYTEST_ARGS)

test-pg: install
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(PYTEST) $(PYTEST_ARGS)

# The quick loop while working: everything but the tests marked slow (browser, races, processes, demo data).
test-fast: install
	$(PYTEST) -m "not slow" $(PYTEST_ARGS)

# ruff, then the layers of DESIGN.md (.importlinter: no domain imports one above it).
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Re-pin every dependency after a change to setup.cfg (or to take upgrades); commit both files.
lock: $(BIN)/activate
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements/main.txt setup.cfg
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra dev -o requirements/dev.txt setup.cfg

# One file in $(BACKUP_DIR): pg_dump (custom format) + the uploads and certificates of the file store + a
# manifest (row counts, ledger totals), all from one snapshot. `make restore FILE=…` loads it into an
# EMPTY database at DATABASE_URL (refuses a non-empty one) and checks it against the manifest.
BACKUP_DIR ?= backups
backup: install
	$(FLASK) backup --out $(BACKUP_DIR)

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/backup-….tar"; exit 2; }
	$(FLASK) restore $(FILE)

# Locust against its own production stack (PostgreSQL, Redis, localstripe, gunicorn, RQ worker and
# scheduler on free ports in a temporary folder) with faults on a schedule; bench/results/soak.json.
SOAK_USERS ?= 200
SOAK_SECONDS ?= 600
SOAK_FAULTS ?= db,gateway,worker,web,redis
soak: install
	$(BIN)/python bench/soak.py --users $(SOAK_USERS) --seconds $(SOAK_SECONDS) --faults $(SOAK_FAULTS)

# The short soak for CI: 60 s, 20 users, one fault (a PostgreSQL restart).
soak-ci: install
	$(BIN)/python bench/soak.py --users 20 --seconds 60 --faults db --resources 100

bench: install
	$(BIN)/python bench/run.py

# issue 32's ratios in a few minutes: search (10,000 resources) and bookings (three 10 s runs, medians)
bench-quick: install
	BENCH_QUICK=1 $(BIN)/python bench/run.py

# docs/screenshots/: the demo data (temporary SQLite, fixed seed) in headless Chromium, zh and en,
# desktop and phone; starts and stops its own app server and localstripe on free ports.
screenshots: install
	$(BIN)/python scripts/screenshots.py

# Front-end libraries vendored into static/vendor/ (committed): re-fetch them from the npm registry.
vendor:
	bash scripts/vendor_echarts.sh

# English catalog: re-extract the Chinese source strings, merge them into
# marketplace/translations/en/LC_MESSAGES/messages.po (translate new/fuzzy entries there), compile the .mo.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k NC_:1c,2 --sort-by-file -o messages.pot .
	$(BIN)/pybabel update -i messages.pot -d marketplace/translations -l en --width 100 --no-fuzzy-matching --ignore-obsolete
	rm -f messages.pot
	$(BIN)/pybabel compile -d marketplace/translations --statistics
