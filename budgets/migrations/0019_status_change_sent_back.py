"""The budgets ever sent back from proposed to draft, in a small partial index (issue 12).

The caseload's "sent back to draft" queue asked each of an ICB's drafts for its latest status
change (453 in the largest ICB of the national dataset, 2.4 ms). It now asks that only of the
drafts in this index, which are few: 1.2 ms. Without the index the membership test would read
every status change in England, so the query is written for it (budgets.selectors).
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0018_status_change_latest"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="budgetstatuschange",
            index=models.Index(
                condition=models.Q(("from_status", "proposed"), ("to_status", "draft")),
                fields=["budget"],
                name="status_change_sent_back",
            ),
        ),
    ]
