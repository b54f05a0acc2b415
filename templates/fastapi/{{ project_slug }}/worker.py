"""The task queue: Celery, with Redis as its broker when REDIS_URL is set.

    make worker    a worker: runs the tasks (celery -A <package>.worker worker)
    make beat      the scheduler: sends the periodic tasks below on time (run exactly one)

Without REDIS_URL, tasks run in the process that sends them, at once (Celery's eager mode):
nothing to start on one machine. Async code sends tasks with `await enqueue(task, ...)`, never
`task.delay(...)` on the event loop: delay blocks (a Redis round trip, or the whole task when
eager).

Delivery is at least once: a worker acknowledges a task when it has finished it, so a worker that
dies mid-task leaves it to another (after TASK_VISIBILITY_TIMEOUT). Write tasks so that running
one twice does no harm, and pass them what they need as arguments.
"""

from functools import partial
from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from starlette.concurrency import run_in_threadpool

from .core.settings import Settings, get_settings

PACKAGE = __package__ or __name__.rpartition(".")[0]


def create_celery(settings: Settings) -> Celery:
    app = Celery(PACKAGE, include=[f"{PACKAGE}.auth.tasks", f"{PACKAGE}.mail.tasks"])
    app.conf.update(
        timezone="UTC",
        task_ignore_result=True,  # nothing reads results: no result backend to run
        # At least once: acknowledge after the task ran, give a task back when its worker
        # process dies, and take one task at a time (a prefetched task waits on a busy worker).
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": settings.task_visibility_timeout},
        beat_schedule=SCHEDULE,
    )
    if settings.redis_url:
        app.conf.broker_url = settings.redis_url
    else:
        # No broker: run each task where it is sent. A failure is logged and not raised, as it
        # would not reach the sender from a worker either.
        app.conf.broker_url = "memory://"
        app.conf.task_always_eager = True
    return app


# What beat sends, and when (UTC). The next periodic job goes here: a name, the task's dotted
# name (a task in a `tasks.py` of its domain package, listed in `include` above), and when, e.g.
#     "weekly-digest": {
#         "task": f"{PACKAGE}.reports.tasks.send_weekly_digest",
#         "schedule": crontab(day_of_week="mon", hour=7, minute=0),
#     },
SCHEDULE: dict[str, dict[str, Any]] = {
    "delete-expired-refresh-tokens": {
        "task": f"{PACKAGE}.auth.tasks.delete_expired_refresh_tokens",
        "schedule": crontab(hour=3, minute=17),  # daily, off the hour most jobs pick
    },
}

celery_app = create_celery(get_settings())


async def enqueue(task: Task, *args: Any, **kwargs: Any) -> None:
    """Sends `task` from async code, off the event loop (see the module's docstring)."""
    await run_in_threadpool(partial(task.delay, *args, **kwargs))
