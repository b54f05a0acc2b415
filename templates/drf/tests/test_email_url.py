"""EMAIL_URL as Django's EMAIL_* settings (config/email_url.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.email_url import CONSOLE, SMTP, EmailSettings, email_settings


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("console://", EmailSettings(backend=CONSOLE)),
        (
            "smtp://relay.internal",
            EmailSettings(backend=SMTP, host="relay.internal", port=25),
        ),
        (
            "smtp+tls://ada%40example.com:p%40ss:w@smtp.example.com",
            EmailSettings(
                backend=SMTP,
                host="smtp.example.com",
                port=587,
                user="ada@example.com",
                password="p@ss:w",
                use_tls=True,
            ),
        ),
        (
            "smtp+ssl://ada:secret@smtp.example.com:2465",
            EmailSettings(
                backend=SMTP,
                host="smtp.example.com",
                port=2465,
                user="ada",
                password="secret",
                use_ssl=True,
            ),
        ),
    ],
)
def test_email_url(url, expected):
    assert email_settings(url) == expected


@pytest.mark.parametrize(
    "url", ["smtps://h", "http://h", "relay.internal", "smtp://", "smtp://h:port", "smtp://h:99999"]
)
def test_a_bad_email_url_is_refused_without_echoing_it(url):
    with pytest.raises(ImproperlyConfigured) as refusal:
        email_settings(url.replace("//", "//user:hunter2@", 1) if "//" in url else url)
    assert "hunter2" not in str(refusal.value)
