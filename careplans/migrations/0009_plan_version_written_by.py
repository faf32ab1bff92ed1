from django.conf import settings
from django.db import migrations, models

# Who changed a draft before this was recorded, read from the audit: an update of the version
# while it was a draft, made in a request that named its user (every change to a version's
# sections or rows saves the version). Its insert is its creator, already kept out.
BACKFILL = """
INSERT INTO careplans_planversion_written_by (planversion_id, user_id)
SELECT DISTINCT e.pgh_obj_id, u.id
FROM careplans_planversionevent e
JOIN pghistory_context c ON c.id = e.pgh_context_id
JOIN phb_user u ON u.id::text = c.metadata->>'user'
WHERE e.pgh_label = 'update' AND e.status = 'draft'
ON CONFLICT DO NOTHING
"""


class Migration(migrations.Migration):
    dependencies = [
        ("careplans", "0008_reconsideration_withdrawn"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="planversion",
            name="written_by",
            field=models.ManyToManyField(blank=True, related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
