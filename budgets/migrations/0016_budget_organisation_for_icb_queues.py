"""Each budget carries its person's ICB, kept by the database (issue 12, ADR 0030).

The "waiting for you" panel on every caseload view read an ICB's budgets through its people:
at 250,000 people it read all 20,000 people of the largest ICB, or every draft in the country,
and took 250-280 ms of the page's 306 ms of SQL. With the ICB on the budget it reads them
through indexes that start with the ICB:
- budget_by_icb_and_status: the budgets waiting on someone, by status, oldest first;
- budget_live_by_icb_and_end: live budgets by end date, for "its period is over".
They replace 0015's indexes by status alone, which the panel's queries did not use once the
ICB was known. A trigger on the budget copies the person's ICB on every insert and update;
one on the person carries a change of ICB to their budgets.
"""

import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('budgets', '0015_waiting_panel_indexes'),
        ('phb', '0008_validated_contact_details'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name='budget',
            name='update_update',
        ),
        migrations.RemoveIndex(
            model_name='budget',
            name='budget_waiting_by_updated',
        ),
        migrations.RemoveIndex(
            model_name='budget',
            name='budget_live_by_period_end',
        ),
        migrations.AddField(
            model_name='budget',
            name='organisation',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='phb.organisation'),
        ),
        migrations.RunSQL(
            """
            UPDATE budgets_budget AS budget SET organisation_id = person.organisation_id
                FROM phb_budgetholder AS person WHERE person.id = budget.budget_holder_id
            """,
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name='budget',
            name='organisation',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='phb.organisation'),
        ),
        migrations.AddIndex(
            model_name='budget',
            index=models.Index(fields=['organisation', 'status', 'updated_at'], name='budget_by_icb_and_status'),
        ),
        migrations.AddIndex(
            model_name='budget',
            index=models.Index(condition=models.Q(('status__in', ['agreed', 'active'])), fields=['organisation', 'period_end'], name='budget_live_by_icb_and_end'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='budget',
            trigger=pgtrigger.compiler.Trigger(name='budget_organisation_is_the_persons', sql=pgtrigger.compiler.UpsertTriggerSql(func='\n                    SELECT organisation_id INTO NEW.organisation_id\n                        FROM phb_budgetholder WHERE id = NEW.budget_holder_id;\n                    RETURN NEW;\n                ', hash='75fb20ba0a9190ed63594333c125ec736aa917c8', operation='INSERT OR UPDATE', pgid='pgtrigger_budget_organisation_is_the_persons_e1354', table='budgets_budget', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='budget',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."agreed_amount" IS DISTINCT FROM (NEW."agreed_amount") OR OLD."agreed_at" IS DISTINCT FROM (NEW."agreed_at") OR OLD."agreed_by_id" IS DISTINCT FROM (NEW."agreed_by_id") OR OLD."backdating_reason" IS DISTINCT FROM (NEW."backdating_reason") OR OLD."basis" IS DISTINCT FROM (NEW."basis") OR OLD."budget_holder_id" IS DISTINCT FROM (NEW."budget_holder_id") OR OLD."chc_package_id" IS DISTINCT FROM (NEW."chc_package_id") OR OLD."clinical_check_id" IS DISTINCT FROM (NEW."clinical_check_id") OR OLD."clinical_justification" IS DISTINCT FROM (NEW."clinical_justification") OR OLD."created_at" IS DISTINCT FROM (NEW."created_at") OR OLD."created_by_id" IS DISTINCT FROM (NEW."created_by_id") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."indicative_amount" IS DISTINCT FROM (NEW."indicative_amount") OR OLD."pa_costing_id" IS DISTINCT FROM (NEW."pa_costing_id") OR OLD."period_end" IS DISTINCT FROM (NEW."period_end") OR OLD."period_start" IS DISTINCT FROM (NEW."period_start") OR OLD."plan_approved_at" IS DISTINCT FROM (NEW."plan_approved_at") OR OLD."plan_reference" IS DISTINCT FROM (NEW."plan_reference") OR OLD."prepared_from_id" IS DISTINCT FROM (NEW."prepared_from_id") OR OLD."ras_assessment_id" IS DISTINCT FROM (NEW."ras_assessment_id") OR OLD."status" IS DISTINCT FROM (NEW."status") OR OLD."updated_at" IS DISTINCT FROM (NEW."updated_at") OR OLD."version" IS DISTINCT FROM (NEW."version"))', func='INSERT INTO "budgets_budgetevent" ("agreed_amount", "agreed_at", "agreed_by_id", "backdating_reason", "basis", "budget_holder_id", "chc_package_id", "clinical_check_id", "clinical_justification", "created_at", "created_by_id", "id", "indicative_amount", "pa_costing_id", "period_end", "period_start", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "plan_approved_at", "plan_reference", "prepared_from_id", "ras_assessment_id", "status", "updated_at", "version") VALUES (NEW."agreed_amount", NEW."agreed_at", NEW."agreed_by_id", NEW."backdating_reason", NEW."basis", NEW."budget_holder_id", NEW."chc_package_id", NEW."clinical_check_id", NEW."clinical_justification", NEW."created_at", NEW."created_by_id", NEW."id", NEW."indicative_amount", NEW."pa_costing_id", NEW."period_end", NEW."period_start", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."plan_approved_at", NEW."plan_reference", NEW."prepared_from_id", NEW."ras_assessment_id", NEW."status", NEW."updated_at", NEW."version"); RETURN NULL;', hash='9d6e8d330342c58c4a8549c993dd4c7c77d6b107', operation='UPDATE', pgid='pgtrigger_update_update_dac1d', table='budgets_budget', when='AFTER')),
        ),
        migrations.RunSQL(
            """
            CREATE FUNCTION budgets_follow_the_persons_icb() RETURNS trigger AS $$
            BEGIN
                UPDATE budgets_budget SET organisation_id = NEW.organisation_id
                    WHERE budget_holder_id = NEW.id;
                RETURN NULL;
            END;
            $$ LANGUAGE plpgsql;
            CREATE TRIGGER budgets_follow_the_persons_icb
                AFTER UPDATE OF organisation_id ON phb_budgetholder
                FOR EACH ROW WHEN (OLD.organisation_id IS DISTINCT FROM NEW.organisation_id)
                EXECUTE FUNCTION budgets_follow_the_persons_icb();
            """,
            """
            DROP TRIGGER budgets_follow_the_persons_icb ON phb_budgetholder;
            DROP FUNCTION budgets_follow_the_persons_icb();
            """,
        ),
    ]
