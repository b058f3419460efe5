# Two commands on a fresh machine: `make run` serves the demo portal, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run dev test install demo clean-db bench messages cluster

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

# The demo's site identity in every footer (政府网站发展指引): fictional values for the fictional county,
# each overridden by the same variable in the environment. Production sets its own (README, "Settings").
DEMO_SITE = PORTAL_SPONSOR="$${PORTAL_SPONSOR-清河县住房和城乡建设局（演示）}" \
	PORTAL_SITE_CODE="$${PORTAL_SITE_CODE-4199000001}" \
	PORTAL_ICP_NUMBER="$${PORTAL_ICP_NUMBER-豫ICP备00000000号-1}" \
	PORTAL_PSB_NUMBER="$${PORTAL_PSB_NUMBER-豫公网安备41990002000001号}" \
	PORTAL_CONTACT="$${PORTAL_CONTACT-0399-0000000（演示电话）}"

# Serves like production (gunicorn, whitenoise, DEBUG off) on the embedded SQLite database, with the
# periodic jobs (scheduled publication, consultation closing, reminders, retention: `manage.py run_jobs`)
# running beside it. Ctrl-C stops both; if either ends, the other is stopped too. gunicorn runs threaded
# workers (deploy/gunicorn.conf.py) so that slow requests cannot block static files and other pages.
run: SHELL := /bin/bash
run: demo
	@echo "门户地址：http://$(HOST):$(PORT)/   管理后台：http://$(HOST):$(PORT)/admin/"
	@trap 'kill $$web $$jobs 2>/dev/null' INT TERM; \
	$(DEMO_SITE) $(VENV)/bin/gunicorn portal.wsgi --config deploy/gunicorn.conf.py --bind $(HOST):$(PORT) --access-logfile - & web=$$!; \
	$(PY) manage.py run_jobs & jobs=$$!; \
	wait -n; status=$$?; kill $$web $$jobs 2>/dev/null; wait; exit $$status

# Django's auto-reloading development server with DEBUG on.
dev: demo
	$(DEMO_SITE) DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

# Two workers (pytest-xdist, one per core here). Tests are dealt out one by one, so that no big file holds
# up the end of the run; a module whose fixture starts a server (gunicorn, the S3 endpoint) is marked
# `xdist_group` and stays on one worker, which builds it once. `make test PYTEST_WORKERS=` runs in one
# process.
# Python's compiled-bytecode caches are written even where the environment turns them off
# (PYTHONDONTWRITEBYTECODE): the suite's own Python subprocesses (gunicorn, the job runner, the settings
# checks) then load the project compiled once, and each worker's start loads pytest's rewritten test modules
# instead of rewriting them again. The caches are ignored by git.
PYTEST_WORKERS ?= -n 2 --dist loadgroup
test: install
	env -u PYTHONDONTWRITEBYTECODE $(VENV)/bin/pytest $(PYTEST_WORKERS)

bench: install
	$(PY) bench/run.py

# The end-to-end cluster drill (README, "The cluster drill"): root, network namespaces, nginx, a
# temporary PostgreSQL primary and replica, Redis and an S3 endpoint; a few minutes.
cluster: install
	$(PY) .ci/cluster.py

clean-db:
	rm -f var/portal.sqlite3

# Recompiles the translations that Django's own catalogs lack (locale/, see README "Language and
# translations"); the .mo files are committed, so only someone editing a .po needs msgfmt.
messages:
	cd locale/zh_Hans/LC_MESSAGES && for po in *.po; do msgfmt --check -o "$${po%.po}.mo" "$$po"; done
