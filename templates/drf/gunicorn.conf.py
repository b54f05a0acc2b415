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
