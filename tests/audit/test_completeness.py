"""Every write service leaves an audit event (issue 29): a new public function in a services module
fails here until it is classified in ``service_catalogue`` or given a recipe in ``recipes``."""

import importlib
import inspect
import pathlib

import pytest

from audit.actors import acting_as_job
from audit.models import AuditEvent
from tests.audit import recipes
from tests.audit.service_catalogue import COVERED, NOT_AUDITED, READS

ROOT = pathlib.Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {"tests", ".venv", "bench", "scripts", "node_modules"}


def service_modules():
    paths = [*ROOT.glob("*/services.py"), *ROOT.glob("*/services/**/*.py")]
    for path in sorted(paths):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in SKIPPED_DIRS or relative.parts[0].startswith("."):
            continue
        name = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        yield importlib.import_module(name)


def public_functions():
    return sorted(
        f"{module.__name__}.{name}"
        for module in service_modules()
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and function.__module__ == module.__name__
    )


def test_every_public_service_function_is_classified_for_the_audit_trail():
    unclassified = [
        name for name in public_functions()
        if name not in READS and name not in NOT_AUDITED and name not in COVERED and name not in recipes.RECIPES
    ]
    assert not unclassified, (
        "These service functions are not classified for the audit trail: "
        + ", ".join(unclassified)
        + ". If one writes, make it call audit.record.record(...) and add a recipe to tests/audit/recipes.py "
        "(RECIPES); if it only reads, add it to READS in tests/audit/service_catalogue.py; if it writes only "
        "bookkeeping, add it to NOT_AUDITED with the reason."
    )


def test_the_catalogue_names_only_functions_that_exist_and_each_once():
    known = set(public_functions())
    named = [*READS, *NOT_AUDITED, *COVERED, *recipes.RECIPES]
    assert sorted(set(named) - known) == []
    assert len(named) == len(set(named))
    assert set(COVERED.values()) <= set(recipes.RECIPES)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(recipes.RECIPES))
def test_a_write_service_records_who_what_and_the_fields_before_and_after(name, request):
    with acting_as_job("audit-recipe"):
        expect = recipes.RECIPES[name](request)
    events = AuditEvent.objects.filter(action=expect.action, object_id=str(expect.object_id))
    assert events.exists(), f"{name} left no {expect.action} event for {expect.object_id}"
    event = events.latest("id")
    assert (event.actor_kind, event.actor_label) == expect.actor
    assert (event.tenant_id is None) == (expect.action in recipes.INSTALLATION_WIDE)
    for field, pair in expect.fields.items():
        assert event.changes.get(field) == pair, (field, event.changes)
