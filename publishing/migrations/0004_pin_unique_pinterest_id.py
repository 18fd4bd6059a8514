from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('publishing', '0003_publishattempt_kind_part_shared_ids'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='pin',
            constraint=models.UniqueConstraint(condition=models.Q(('pinterest_pin_id', ''), _negated=True), fields=('pinterest_pin_id',), name='uniq_pinterest_pin_id'),
        ),
    ]
