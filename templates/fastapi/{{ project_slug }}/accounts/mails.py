"""The account emails as values, and how a request queues them."""

from dataclasses import dataclass, field

from fastapi import BackgroundTasks

from ..mail.tasks import send_email
from ..worker import enqueue


@dataclass(frozen=True)
class Mail:
    """One email to send: its address, its templates' name (templates/) and their context."""

    to: str
    template: str
    context: dict[str, str] = field(default_factory=dict)


def queue(background: BackgroundTasks, mail: Mail | None) -> None:
    """Queues the mail once the response is sent (enqueue: from a thread, never on the event
    loop). The answer never waits for the queue, nor for SMTP when tasks run in-process (no
    REDIS_URL), so a password reset for an unknown address answers like one for an account."""
    if mail is not None:
        background.add_task(
            enqueue, send_email, to=mail.to, template=mail.template, context=mail.context
        )


async def send(mail: Mail | None) -> None:
    """Queues the mail now (for the back office's actions: they answer after)."""
    if mail is not None:
        await enqueue(send_email, to=mail.to, template=mail.template, context=mail.context)
