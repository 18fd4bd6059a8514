"""The HTTPS settings come from the environment: on by default with DEBUG off, off with DEBUG on.

Settings are read once, when the process starts, so each case starts a fresh Python with its
own environment (without pytest's PYTEST_VERSION, which keeps the test client on plain http).
"""

import json
import os
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from pinpublisher.settings import env_header

TLS_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
]
# What "Running in production" in README.md sets (secrets generated here).
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "pins.example.com",
    "PINPUBLISHER_TOKEN_KEYS": Fernet.generate_key().decode(),
    "PINTEREST_APP_ID": "1500000",
    "PINTEREST_APP_SECRET": "a-pinterest-app-secret",
    "PINTEREST_REDIRECT_URI": "https://pins.example.com/pinterest/callback/",
    "DATABASE_URL": "postgres://pinpublisher:secret@db.internal:5432/pinpublisher",  # a check never connects
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "METRICS_TOKEN": secrets.token_urlsafe(32),
}


def clean_environment(**env):
    """This process's environment without pytest's marker or any setting read here, plus ``env``."""
    ours = {"PYTEST_VERSION", "DEBUG", "STATIC_ROOT", "CSRF_TRUSTED_ORIGINS", *TLS_SETTINGS, *PRODUCTION_ENV}
    return {**{k: v for k, v in os.environ.items() if k not in ours}, **env}


def settings_with(**env):
    """The settings a fresh process reads from ``env``, as JSON (tuples become lists)."""
    names = [*TLS_SETTINGS, "STATIC_ROOT", "SILENCED_SYSTEM_CHECKS"]
    code = (
        "import json, pinpublisher.settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}, default=str))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=django_settings.BASE_DIR,
                            env=clean_environment(**env), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_with_debug_off_https_is_on_by_default():
    values = settings_with(DEBUG="0")
    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "STATIC_ROOT": str(django_settings.BASE_DIR / "staticfiles"),
        "SILENCED_SYSTEM_CHECKS": ["security.W021"],
    }


def test_with_debug_on_https_is_off_by_default_so_make_run_works_over_http():
    values = settings_with(DEBUG="1")
    assert [values[name] for name in TLS_SETTINGS] == [False, False, False, 0, False, False, None]


def test_each_https_setting_follows_the_environment():
    values = settings_with(
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="no",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
        SECURE_HSTS_PRELOAD="1",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO, https",
        STATIC_ROOT="/srv/pinpublisher/static",
    )
    assert [values[name] for name in TLS_SETTINGS] == [
        False, False, False, 3600, False, True, ["HTTP_X_FORWARDED_PROTO", "https"]
    ]
    assert values["STATIC_ROOT"] == "/srv/pinpublisher/static"


def test_debug_on_still_takes_https_settings_from_the_environment():
    values = settings_with(DEBUG="1", SECURE_SSL_REDIRECT="1", SECURE_HSTS_SECONDS="60")
    assert (values["SECURE_SSL_REDIRECT"], values["SECURE_HSTS_SECONDS"]) == (True, 60)


@pytest.mark.parametrize(
    "value", ["X-Forwarded-Proto,https", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_PROTO,https,http"]
)
def test_a_malformed_proxy_ssl_header_refuses_to_start(monkeypatch, value):
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", value)
    with pytest.raises(ImproperlyConfigured, match="HTTP_X_FORWARDED_PROTO,https"):
        env_header("SECURE_PROXY_SSL_HEADER")


def run_check_deploy(**env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=django_settings.BASE_DIR, env=clean_environment(**env), capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_is_clean_with_the_readme_production_environment():
    readme = (django_settings.BASE_DIR / "README.md").read_text()
    section = readme.split("## Running in production", 1)[1].split("\n## ", 1)[0]
    for name in PRODUCTION_ENV:
        assert name in section, f"README's production section does not mention {name}"
    result = run_check_deploy(**PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_names_what_production_turned_off():
    result = run_check_deploy(**{**PRODUCTION_ENV, "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0"})
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr
