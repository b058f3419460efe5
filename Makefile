# Two commands on a fresh machine: `make run` serves the demo portal, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run dev test install demo clean-db bench messages

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable  # the rate limits' table, shared by the gunicorn workers
	$(PY) manage.py load_catalog
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0

# Serves like production (gunicorn, whitenoise, DEBUG off) on the embedded SQLite database, with the
# periodic jobs (scheduled publication, consultation closing, reminders, retention: `manage.py run_jobs`)
# running beside it. Ctrl-C stops both; if either ends, the other is stopped too.
run: SHELL := /bin/bash
run: demo
	@echo "门户地址：http://$(HOST):$(PORT)/   管理后台：http://$(HOST):$(PORT)/admin/"
	@trap 'kill $$web $$jobs 2>/dev/null' INT TERM; \
	$(VENV)/bin/gunicorn portal.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile - & web=$$!; \
	$(PY) manage.py run_jobs & jobs=$$!; \
	wait -n; status=$$?; kill $$web $$jobs 2>/dev/null; wait; exit $$status

# Django's auto-reloading development server with DEBUG on.
dev: demo
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

# Two workers (pytest-xdist, one per core here), each test file kept on one worker so that its module
# fixtures (a seeded demo, a gunicorn server) are built once. `make test PYTEST_WORKERS=` runs in one
# process.
PYTEST_WORKERS ?= -n 2 --dist loadfile
test: install
	$(VENV)/bin/pytest $(PYTEST_WORKERS)

bench: install
	$(PY) bench/run.py

clean-db:
	rm -f var/portal.sqlite3

# Recompiles the translations that Django's own catalogs lack (locale/, see README "Language and
# translations"); the .mo files are committed, so only someone editing a .po needs msgfmt.
messages:
	cd locale/zh_Hans/LC_MESSAGES && for po in *.po; do msgfmt --check -o "$${po%.po}.mo" "$$po"; done
