# Two commands on a fresh machine: `make run` serves the demo portal, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run dev test install demo clean-db bench

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable  # the rate limits' and the page cache's tables, shared by the gunicorn workers
	$(PY) manage.py load_catalog
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0

# Serves like production (gunicorn, whitenoise, DEBUG off) on the embedded SQLite database.
run: demo
	@echo "门户地址：http://$(HOST):$(PORT)/   管理后台：http://$(HOST):$(PORT)/admin/"
	$(VENV)/bin/gunicorn portal.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile -

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
