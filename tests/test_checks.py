"""Production refuses development secrets; development runs with a warning."""

from cryptography.fernet import Fernet
from django.conf import settings as django_settings

from pinpublisher.checks import check_secrets


def ids(messages):
    return sorted(m.id for m in messages)


def test_production_checks_fail_without_the_secrets(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = django_settings.DEV_SECRET_KEY
    settings.PINPUBLISHER_TOKEN_KEYS = [django_settings.DEV_TOKEN_KEY]
    settings.ALLOWED_HOSTS = ["pins.example.com"]
    messages = [m for m in check_secrets(None) if m.is_serious()]
    assert ids(messages) == ["pinpublisher.E001", "pinpublisher.E002"]
    assert "SECRET_KEY" in messages[0].msg


def test_production_checks_pass_with_the_secrets(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "a-real-production-secret-" + "x" * 40
    settings.PINPUBLISHER_TOKEN_KEYS = [Fernet.generate_key().decode()]
    settings.ALLOWED_HOSTS = ["pins.example.com"]
    settings.PINTEREST_APP_ID, settings.PINTEREST_APP_SECRET = "1500000", "app-secret"
    settings.PINTEREST_REDIRECT_URI = "https://pins.example.com/pinterest/callback/"
    assert check_secrets(None) == []


def test_production_without_a_pinterest_app_gets_a_warning_naming_what_is_missing(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "a-real-production-secret-" + "x" * 40
    settings.PINPUBLISHER_TOKEN_KEYS = [Fernet.generate_key().decode()]
    settings.ALLOWED_HOSTS = ["pins.example.com"]
    settings.PINTEREST_APP_ID, settings.PINTEREST_APP_SECRET, settings.PINTEREST_REDIRECT_URI = "1", "", ""
    (message,) = check_secrets(None)
    assert message.id == "pinpublisher.W002" and not message.is_serious()
    assert "PINTEREST_APP_SECRET, PINTEREST_REDIRECT_URI" in message.msg


def test_a_malformed_token_key_is_an_error(settings):
    settings.PINPUBLISHER_TOKEN_KEYS = ["not-a-key"]
    assert "pinpublisher.E003" in ids(check_secrets(None))


def test_development_defaults_give_a_warning_not_an_error(settings):
    settings.DEBUG = True
    settings.SECRET_KEY = django_settings.DEV_SECRET_KEY
    settings.PINPUBLISHER_TOKEN_KEYS = [django_settings.DEV_TOKEN_KEY]
    messages = check_secrets(None)
    assert ids(messages) == ["pinpublisher.W001"]
    assert not messages[0].is_serious()


def test_database_url_parsing():
    from pinpublisher.settings import BASE_DIR, database_from_url

    pg = database_from_url("postgres://u:p%40ss@db.example:6543/pins?sslmode=require")
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql", "pins", "u", "p@ss", "db.example", "6543"
    )
    assert pg["OPTIONS"] == {"sslmode": "require"}
    assert database_from_url("sqlite:///db.sqlite3")["NAME"] == str(BASE_DIR / "db.sqlite3")
    assert database_from_url("sqlite:////tmp/x.db")["NAME"] == "/tmp/x.db"
