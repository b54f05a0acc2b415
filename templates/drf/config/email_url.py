"""EMAIL_URL, one variable for how the project sends email, as Django's EMAIL_* settings.

    console://                           print each mail (development; the default)
    smtp://user:password@host:25         plain SMTP, for a relay on your own network
    smtp+tls://user:password@host:587    STARTTLS (port 587 unless given)
    smtp+ssl://user:password@host:465    implicit TLS (port 465 unless given)

A user name or password with reserved characters (@ : / ? #) is percent-encoded: p%40ss.
"""

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
# scheme: (default port, STARTTLS, implicit TLS)
SMTP_SCHEMES = {
    "smtp": (25, False, False),
    "smtp+tls": (587, True, False),
    "smtp+ssl": (465, False, True),
}


@dataclass(frozen=True)
class EmailSettings:
    backend: str
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False


def email_settings(url: str) -> EmailSettings:
    parts = urlsplit(url.strip())
    if parts.scheme == "console":
        return EmailSettings(backend=CONSOLE)
    if parts.scheme not in SMTP_SCHEMES:
        raise ImproperlyConfigured(
            f"EMAIL_URL must start with console://, smtp://, smtp+tls:// or smtp+ssl://, "
            f"not {parts.scheme + '://' if parts.scheme else repr(url)}"
        )
    default_port, use_tls, use_ssl = SMTP_SCHEMES[parts.scheme]
    try:
        port = parts.port or default_port
    except ValueError as error:  # a port that is not a number, or out of range
        raise ImproperlyConfigured(f"EMAIL_URL has an invalid port: {error}") from None
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL names no host: smtp://user:password@host:port")
    return EmailSettings(
        backend=SMTP,
        host=parts.hostname,
        port=port,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
    )
