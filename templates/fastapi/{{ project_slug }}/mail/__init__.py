"""Email: rendered from Jinja2 templates, sent over SMTP or printed (EMAIL_URL)."""
