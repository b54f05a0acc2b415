"""Benchmark only, never copied into a project: the generated drf project's own settings, with a
URLconf that adds GET /api/bench/upstream in front of the project's URLs.

The benchmark starts the project's production command with DJANGO_SETTINGS_MODULE pointing here
and BENCH_PROJECT_SETTINGS naming the project's settings module.
"""

import os
from importlib import import_module

_project = import_module(os.environ["BENCH_PROJECT_SETTINGS"])
globals().update({name: value for name, value in vars(_project).items() if name.isupper()})

PROJECT_ROOT_URLCONF = _project.ROOT_URLCONF
ROOT_URLCONF = "bench_drf_urls"
