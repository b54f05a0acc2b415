"""Sending email (a stand-in with the task queue's interface: send_email.delay(...) sends at
once, in the calling process)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


class Task:
    def __init__(self, function):
        self.function = function

    def __call__(self, **kwargs):
        return self.function(**kwargs)

    def delay(self, **kwargs):
        return self.function(**kwargs)


@Task
def send_email(*, to: str, template: str, context: dict) -> None:
    """Render mail/<template>_subject.txt, .txt and .html with `context` and send them to `to`."""
    subject = render_to_string(f"mail/{template}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # one line, whatever the template's
        body=render_to_string(f"mail/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(render_to_string(f"mail/{template}.html", context), "text/html")
    message.send()
