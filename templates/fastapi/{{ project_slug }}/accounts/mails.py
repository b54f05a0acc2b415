"""The account emails as values, and how a request queues them."""

from dataclasses import dataclass, field

from fastapi import BackgroundTasks
from starlette.concurrency import run_in_threadpool

from ..mail.tasks import send_email


@dataclass(frozen=True)
class Mail:
    """One email to send: its address, its templates' name (templates/) and their context."""

    to: str
    template: str
    context: dict[str, str] = field(default_factory=dict)


def queue(background: BackgroundTasks, mail: Mail | None) -> None:
    """Queues the mail once the response is sent, in a thread (send_email.delay blocks when
    tasks run in-process): the answer never waits for it, and a password reset for an unknown
    address takes the same time as one for a real account."""
    if mail is not None:
        background.add_task(
            send_email.delay, to=mail.to, template=mail.template, context=mail.context
        )


async def send(mail: Mail | None) -> None:
    """Queues the mail now, from a thread (for the back office's actions: they answer after)."""
    if mail is not None:
        await run_in_threadpool(
            send_email.delay, to=mail.to, template=mail.template, context=mail.context
        )
