"""gunicorn settings for the portal: ``gunicorn portal.wsgi -c deploy/gunicorn.conf.py``.

Threads, so that slow requests cannot take every slot: each worker process serves ``GUNICORN_THREADS``
requests at once (gthread), and a request blocked on the database releases the interpreter to the
others. With the default 2 workers × 16 threads, 16 concurrent slow searches leave 16 slots for static
files (whitenoise) and pages from the page cache, which need no database time. Every public SQL
statement is also cut off after ``PUBLIC_STATEMENT_TIMEOUT_MS`` (portal/timeouts.py), so a slot is never
held for long. Each thread keeps its own database connection: workers × threads connections per host
(PostgreSQL's default max_connections is 100).

Environment: GUNICORN_BIND (127.0.0.1:8000), GUNICORN_WORKERS (number of CPU cores, at least 2),
GUNICORN_THREADS (16), GUNICORN_TIMEOUT (30 seconds).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", max(2, os.cpu_count() or 1)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
