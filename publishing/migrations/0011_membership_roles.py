# Roles per membership (issue 29): owner, editor, viewer. The old "member" could do everything
# but manage the tenant, which is what an editor does now.

from django.db import migrations, models


def members_become_editors(apps, schema_editor):
    apps.get_model("publishing", "Membership").objects.filter(role="member").update(role="editor")


def editors_become_members(apps, schema_editor):
    # Back to two roles: a viewer could do nothing less than a member then.
    apps.get_model("publishing", "Membership").objects.filter(role__in=["editor", "viewer"]).update(role="member")


class Migration(migrations.Migration):

    dependencies = [
        ("publishing", "0010_article_feed_fields"),
    ]

    operations = [
        migrations.AlterField(
            model_name="membership",
            name="role",
            field=models.CharField(
                choices=[("owner", "Owner"), ("editor", "Editor"), ("viewer", "Viewer")], default="editor", max_length=10
            ),
        ),
        migrations.RunPython(members_become_editors, editors_become_members),
    ]
