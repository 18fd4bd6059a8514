import pytest
from django.db import connection

from tests.factories import make_pin

pytestmark = pytest.mark.django_db


def test_due_pin_index_is_partial_on_ready_pins():
    make_pin()
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "publishing_pin")
    assert constraints["pin_ready_scheduled_idx"]["columns"] == ["scheduled_at"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'pin_ready_scheduled_idx'")
            assert "WHERE" in cursor.fetchone()[0]


def test_pin_ids_are_uuids():
    pin = make_pin()
    assert len(str(pin.id)) == 36
