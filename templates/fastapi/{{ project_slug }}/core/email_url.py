"""EMAIL_URL, read once into what the mail sender needs.

    console://                       print each mail (development; the default)
    smtp://user:password@host:25     plain SMTP, for a relay on the same host or network
    smtp+tls://user:password@host    STARTTLS (port 587 unless given), what most providers offer
    smtp+ssl://user:password@host    TLS from the first byte (port 465 unless given)

The user and password are percent-encoded in the URL when they hold reserved characters
(`@` is %40, `:` is %3A, `/` is %2F)."""

from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

Scheme = Literal["console", "smtp", "smtp+tls", "smtp+ssl"]
DEFAULT_PORTS: dict[str, int] = {"smtp": 25, "smtp+tls": 587, "smtp+ssl": 465}


@dataclass(frozen=True)
class EmailServer:
    scheme: Scheme
    host: str = ""
    port: int = 0
    username: str = ""
    password: str = ""


def parse_email_url(url: str) -> EmailServer:
    """console:// or smtp[+tls|+ssl]://[user[:password]@]host[:port]; ValueError otherwise."""
    parts = urlsplit(url)
    if parts.scheme == "console":
        return EmailServer("console")
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError(
            f"EMAIL_URL must start with console://, smtp://, smtp+tls:// or smtp+ssl://, "
            f"not {parts.scheme or 'nothing'}://"
        )
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as error:  # not a number, or beyond 65535
        raise ValueError(f"EMAIL_URL has a port that is not valid: {error}") from None
    if not parts.hostname:
        raise ValueError("EMAIL_URL names no host: smtp://user:password@host:port")
    return EmailServer(
        parts.scheme,  # type: ignore[arg-type]  (checked above)
        parts.hostname,
        port,
        unquote(parts.username or ""),
        unquote(parts.password or ""),
    )
