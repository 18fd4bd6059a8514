from django.db import migrations, models
from django.db.models import Count

DUPLICATE_MESSAGE = (
    "This pin was recorded with Pinterest pin {id}, which belongs to another of your pins: "
    "whether Pinterest created this one is unknown. Look at the board before publishing it again."
)


def mark_looks(apps, schema_editor):
    """Attempts that looked at the board (after a lost answer) are looks, not creates."""
    PublishAttempt = apps.get_model("publishing", "PublishAttempt")
    PublishAttempt.objects.filter(outcome__in=["found", "not_found"]).update(kind="look")
    PublishAttempt.objects.filter(outcome="unknown", error__startswith="Could not check the board").update(
        kind="look"
    )


def part_shared_pinterest_ids(apps, schema_editor):
    """Before the unique constraint: a Pinterest pin id several pins share stays with the pin
    Pinterest answered 201 for (else the first to publish); the others go to ``error`` saying why."""
    Pin = apps.get_model("publishing", "Pin")
    PublishAttempt = apps.get_model("publishing", "PublishAttempt")
    PublishBatchItem = apps.get_model("publishing", "PublishBatchItem")
    shared = (
        Pin.objects.exclude(pinterest_pin_id="")
        .values("pinterest_pin_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("pinterest_pin_id", flat=True)
    )
    for pinterest_pin_id in list(shared):
        pins = list(Pin.objects.filter(pinterest_pin_id=pinterest_pin_id).order_by("published_at", "created_at"))
        created = set(
            PublishAttempt.objects.filter(
                pinterest_pin_id=pinterest_pin_id, outcome="success"
            ).values_list("pin_id", flat=True)
        )
        keeper = next((pin for pin in pins if pin.pk in created), pins[0])
        for pin in pins:
            if pin.pk == keeper.pk:
                continue
            message = DUPLICATE_MESSAGE.format(id=pinterest_pin_id)
            Pin.objects.filter(pk=pin.pk).update(
                status="error",
                pinterest_pin_id="",
                pinterest_pin_url="",
                published_at=None,
                error_message=message,
            )
            # Its batches said "published"; they say what is known now.
            PublishBatchItem.objects.filter(pin_id=pin.pk, success=True).update(success=False, error=message)


class Migration(migrations.Migration):

    dependencies = [
        ('publishing', '0002_pin_claimed_at'),
    ]

    operations = [
        migrations.AddField(
            model_name='publishattempt',
            name='kind',
            field=models.CharField(choices=[('create', 'Create the pin'), ('look', 'Look at the board')], default='create', max_length=10),
        ),
        migrations.RunPython(mark_looks, migrations.RunPython.noop),
        migrations.RunPython(part_shared_pinterest_ids, migrations.RunPython.noop),
    ]
