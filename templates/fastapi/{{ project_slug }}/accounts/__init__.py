"""The account emails: verifying the address, resetting a forgotten password, changing the email.

Each flow mails a link to the frontend ({FRONTEND_URL}/...?token=...), and the frontend posts the
token back: tokens.py signs them, service.py does the work, router.py speaks HTTP, templates/
holds the mails the owner edits."""
