"""Email: templates the owner edits (templates/), rendered and sent by the send_email task.

    from <package>.mail.tasks import send_email
    from <package>.worker import enqueue
    await enqueue(send_email, to="ada@example.com", template="verify_email", context={...})

renders templates/verify_email_subject.txt, verify_email.txt and verify_email.html with
`context` and sends both bodies to EMAIL_URL's server, from DEFAULT_FROM_EMAIL."""
