"""Email: templates the owner edits, rendered and sent by the send_email task.

    from <package>.mail.tasks import send_email
    from <package>.worker import enqueue
    await enqueue(send_email, to="ada@example.com", template="verify_email", context={...})

renders verify_email_subject.txt, verify_email.txt and verify_email.html with `context` (found in
the templates/ folder of the domain package that sends the mail: accounts/templates/ here; the
frame of every HTML mail, _layout.html, is in mail/templates/) and sends both bodies to
EMAIL_URL's server, from DEFAULT_FROM_EMAIL."""
