"""Gunicorn, the production server: `uv run gunicorn config.wsgi` reads this file.

Sync workers serve Django fastest here; each holds one database connection at a time.
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 30
accesslog = "-"
# The longest request line gunicorn allows (its default is 4094 bytes): a long query string then
# reaches the API, which answers it with its JSON 400; beyond this, gunicorn answers an HTML 414.
limit_request_line = 8190
