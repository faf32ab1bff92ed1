"""A clinical check counts only if no change to the draft came after it (the above-cap trigger);
the upper secondary threshold, up to which the employer of a PA under 21 or of an apprentice
under 25 pays no National Insurance; and each PA costing line's NI category.

Every rate set so far gets the upper earnings limit as its upper secondary threshold (the two
have been the same figure since April 2016): a year's, a week's (/ 52) and a month's (/ 12), in
whole pounds as HMRC publishes them: £50,270, £967 and £4,189 for 2026/27. Events recorded
before this migration show £0.00 (the figure was not recorded then)."""

from decimal import ROUND_HALF_UP, Decimal

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

import budgets.models.fields


def thresholds_from(upper_earnings_limit: Decimal) -> dict:
    """The upper secondary thresholds for a year whose upper earnings limit is given."""
    return {
        "upper_secondary_threshold_annual": upper_earnings_limit,
        "upper_secondary_threshold_weekly": (upper_earnings_limit / 52).quantize(1, ROUND_HALF_UP),
        "upper_secondary_threshold_monthly": (upper_earnings_limit / 12).quantize(1, ROUND_HALF_UP),
    }


def upper_secondary_thresholds(apps, schema_editor):
    NationalRateSet = apps.get_model("budgets", "NationalRateSet")
    for rates in NationalRateSet.objects.all():
        thresholds = thresholds_from(rates.upper_earnings_limit_annual)
        for name, value in thresholds.items():
            setattr(rates, name, value)
        rates.save(update_fields=list(thresholds))


class Migration(migrations.Migration):

    dependencies = [
        ('budgets', '0021_budget_agreed_period_end'),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name='budget',
            name='budget_above_cap_needs_clinical_check',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='nationalrateset',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='nationalrateset',
            name='update_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='nationalrateset',
            name='delete_delete',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='pacostingline',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='pacostingline',
            name='update_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='pacostingline',
            name='delete_delete',
        ),
        migrations.RemoveConstraint(
            model_name='nationalrateset',
            name='national_rates_thresholds_ordered',
        ),
        migrations.AddField(
            model_name='nationalrateset',
            name='upper_secondary_threshold_annual',
            field=budgets.models.fields.MoneyField(decimal_places=2, default=Decimal('0'), max_digits=12, verbose_name='Upper secondary threshold, under 21s and apprentices under 25 (per year)'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='nationalrateset',
            name='upper_secondary_threshold_monthly',
            field=budgets.models.fields.MoneyField(decimal_places=2, default=Decimal('0'), max_digits=12, verbose_name='Upper secondary threshold, under 21s and apprentices under 25 (per month)'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='nationalrateset',
            name='upper_secondary_threshold_weekly',
            field=budgets.models.fields.MoneyField(decimal_places=2, default=Decimal('0'), max_digits=12, verbose_name='Upper secondary threshold, under 21s and apprentices under 25 (per week)'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='nationalratesetevent',
            name='upper_secondary_threshold_annual',
            field=budgets.models.fields.MoneyField(decimal_places=2, default=Decimal('0'), max_digits=12, verbose_name='Upper secondary threshold, under 21s and apprentices under 25 (per year)'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='nationalratesetevent',
            name='upper_secondary_threshold_monthly',
            field=budgets.models.fields.MoneyField(decimal_places=2, default=Decimal('0'), max_digits=12, verbose_name='Upper secondary threshold, under 21s and apprentices under 25 (per month)'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='nationalratesetevent',
            name='upper_secondary_threshold_weekly',
            field=budgets.models.fields.MoneyField(decimal_places=2, default=Decimal('0'), max_digits=12, verbose_name='Upper secondary threshold, under 21s and apprentices under 25 (per week)'),
            preserve_default=False,
        ),
        migrations.RunPython(upper_secondary_thresholds, migrations.RunPython.noop),
        migrations.AddField(
            model_name='pacostingline',
            name='ni_category',
            field=models.CharField(blank=True, choices=[('', 'Not recorded'), ('A', 'A: standard'), ('M', 'M: under 21'), ('H', 'H: an apprentice under 25'), ('C', 'C: over State Pension age')], default='', max_length=1),
        ),
        migrations.AddField(
            model_name='pacostinglineevent',
            name='ni_category',
            field=models.CharField(blank=True, choices=[('', 'Not recorded'), ('A', 'A: standard'), ('M', 'M: under 21'), ('H', 'H: an apprentice under 25'), ('C', 'C: over State Pension age')], default='', max_length=1),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='budget',
            trigger=pgtrigger.compiler.Trigger(name='budget_above_cap_needs_clinical_check', sql=pgtrigger.compiler.UpsertTriggerSql(func="\nIF NEW.status IN ('agreed', 'active')\n   AND NEW.agreed_amount > NEW.indicative_amount\n   AND (TG_OP = 'INSERT'\n        OR OLD.status NOT IN ('agreed', 'active')\n        OR NEW.agreed_amount > OLD.agreed_amount) THEN\n    IF coalesce(btrim(NEW.clinical_justification), '') = '' THEN\n        RAISE EXCEPTION 'A budget above its indicative amount needs a clinical justification'\n            USING ERRCODE = 'check_violation';\n    END IF;\n    IF NOT EXISTS (\n        SELECT 1 FROM budgets_clinicalcheck c\n        JOIN phb_budgetholder h ON h.id = NEW.budget_holder_id\n        JOIN phb_roleassignment r\n          ON r.user_id = c.clinician_id AND r.role = 'clinician'\n         AND r.organisation_id = h.organisation_id\n         AND r.starts_on <= (c.at AT TIME ZONE 'Europe/London')::date\n         AND (r.ends_on IS NULL OR r.ends_on >= (c.at AT TIME ZONE 'Europe/London')::date)\n        WHERE c.id = NEW.clinical_check_id AND c.budget_id = NEW.id AND c.supported\n          AND c.amount >= NEW.agreed_amount\n          AND c.clinician_id IS DISTINCT FROM NEW.agreed_by_id\n          AND NOT EXISTS (SELECT 1 FROM budgets_budgetedit e\n                          WHERE e.budget_id = NEW.id AND e.at > c.at)\n    ) THEN\n        RAISE EXCEPTION\n            'Above its indicative amount, a budget needs a supporting check by another clinician'\n            USING ERRCODE = 'check_violation';\n    END IF;\nEND IF;\nRETURN NEW;\n", hash='3982c567f1ac20610ccd660a657b3699a1d40a29', operation='INSERT OR UPDATE', pgid='pgtrigger_budget_above_cap_needs_clinical_check_ece94', table='budgets_budget', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='nationalrateset',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "budgets_nationalratesetevent" ("created_at", "effective_from", "employer_ni_rate", "employment_allowance_annual", "holiday_accrual_rate", "holiday_weeks", "id", "lower_earnings_limit_annual", "name", "ni_secondary_threshold_annual", "ni_secondary_threshold_monthly", "ni_secondary_threshold_weekly", "nlw_21_plus", "nmw_16_17_apprentice", "nmw_18_20", "pension_employer_min_rate", "pension_qualifying_lower_annual", "pension_qualifying_upper_annual", "pension_trigger_annual", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "primary_threshold_annual", "ssp_earnings_rate", "ssp_weekly", "updated_at", "upper_earnings_limit_annual", "upper_secondary_threshold_annual", "upper_secondary_threshold_monthly", "upper_secondary_threshold_weekly") VALUES (NEW."created_at", NEW."effective_from", NEW."employer_ni_rate", NEW."employment_allowance_annual", NEW."holiday_accrual_rate", NEW."holiday_weeks", NEW."id", NEW."lower_earnings_limit_annual", NEW."name", NEW."ni_secondary_threshold_annual", NEW."ni_secondary_threshold_monthly", NEW."ni_secondary_threshold_weekly", NEW."nlw_21_plus", NEW."nmw_16_17_apprentice", NEW."nmw_18_20", NEW."pension_employer_min_rate", NEW."pension_qualifying_lower_annual", NEW."pension_qualifying_upper_annual", NEW."pension_trigger_annual", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."primary_threshold_annual", NEW."ssp_earnings_rate", NEW."ssp_weekly", NEW."updated_at", NEW."upper_earnings_limit_annual", NEW."upper_secondary_threshold_annual", NEW."upper_secondary_threshold_monthly", NEW."upper_secondary_threshold_weekly"); RETURN NULL;', hash='accefbbabcf0f66e538647d1d9ee0d26b3c60278', operation='INSERT', pgid='pgtrigger_insert_insert_4ce35', table='budgets_nationalrateset', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='nationalrateset',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "budgets_nationalratesetevent" ("created_at", "effective_from", "employer_ni_rate", "employment_allowance_annual", "holiday_accrual_rate", "holiday_weeks", "id", "lower_earnings_limit_annual", "name", "ni_secondary_threshold_annual", "ni_secondary_threshold_monthly", "ni_secondary_threshold_weekly", "nlw_21_plus", "nmw_16_17_apprentice", "nmw_18_20", "pension_employer_min_rate", "pension_qualifying_lower_annual", "pension_qualifying_upper_annual", "pension_trigger_annual", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "primary_threshold_annual", "ssp_earnings_rate", "ssp_weekly", "updated_at", "upper_earnings_limit_annual", "upper_secondary_threshold_annual", "upper_secondary_threshold_monthly", "upper_secondary_threshold_weekly") VALUES (NEW."created_at", NEW."effective_from", NEW."employer_ni_rate", NEW."employment_allowance_annual", NEW."holiday_accrual_rate", NEW."holiday_weeks", NEW."id", NEW."lower_earnings_limit_annual", NEW."name", NEW."ni_secondary_threshold_annual", NEW."ni_secondary_threshold_monthly", NEW."ni_secondary_threshold_weekly", NEW."nlw_21_plus", NEW."nmw_16_17_apprentice", NEW."nmw_18_20", NEW."pension_employer_min_rate", NEW."pension_qualifying_lower_annual", NEW."pension_qualifying_upper_annual", NEW."pension_trigger_annual", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."primary_threshold_annual", NEW."ssp_earnings_rate", NEW."ssp_weekly", NEW."updated_at", NEW."upper_earnings_limit_annual", NEW."upper_secondary_threshold_annual", NEW."upper_secondary_threshold_monthly", NEW."upper_secondary_threshold_weekly"); RETURN NULL;', hash='03563b83ebf6a48eec9e3468bf944090ce63c41c', operation='UPDATE', pgid='pgtrigger_update_update_45935', table='budgets_nationalrateset', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='nationalrateset',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "budgets_nationalratesetevent" ("created_at", "effective_from", "employer_ni_rate", "employment_allowance_annual", "holiday_accrual_rate", "holiday_weeks", "id", "lower_earnings_limit_annual", "name", "ni_secondary_threshold_annual", "ni_secondary_threshold_monthly", "ni_secondary_threshold_weekly", "nlw_21_plus", "nmw_16_17_apprentice", "nmw_18_20", "pension_employer_min_rate", "pension_qualifying_lower_annual", "pension_qualifying_upper_annual", "pension_trigger_annual", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "primary_threshold_annual", "ssp_earnings_rate", "ssp_weekly", "updated_at", "upper_earnings_limit_annual", "upper_secondary_threshold_annual", "upper_secondary_threshold_monthly", "upper_secondary_threshold_weekly") VALUES (OLD."created_at", OLD."effective_from", OLD."employer_ni_rate", OLD."employment_allowance_annual", OLD."holiday_accrual_rate", OLD."holiday_weeks", OLD."id", OLD."lower_earnings_limit_annual", OLD."name", OLD."ni_secondary_threshold_annual", OLD."ni_secondary_threshold_monthly", OLD."ni_secondary_threshold_weekly", OLD."nlw_21_plus", OLD."nmw_16_17_apprentice", OLD."nmw_18_20", OLD."pension_employer_min_rate", OLD."pension_qualifying_lower_annual", OLD."pension_qualifying_upper_annual", OLD."pension_trigger_annual", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."primary_threshold_annual", OLD."ssp_earnings_rate", OLD."ssp_weekly", OLD."updated_at", OLD."upper_earnings_limit_annual", OLD."upper_secondary_threshold_annual", OLD."upper_secondary_threshold_monthly", OLD."upper_secondary_threshold_weekly"); RETURN NULL;', hash='d8d90c300475115a8e3918208958ac9b768f0f15', operation='DELETE', pgid='pgtrigger_delete_delete_3b258', table='budgets_nationalrateset', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='pacostingline',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "budgets_pacostinglineevent" ("age_band", "age_on_effective_date", "age_source", "apprentice", "costing_id", "date_of_birth", "employer_ni_weekly", "gross_weekly", "holiday_method", "holiday_weekly", "hourly_rate", "hours_per_week", "id", "irregular_hours", "label", "ni_category", "order", "pension", "pension_category", "pension_enrolled", "pension_weekly", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "state_pension_date", "state_pension_uncertain", "stated_age", "total_annual", "total_weekly") VALUES (NEW."age_band", NEW."age_on_effective_date", NEW."age_source", NEW."apprentice", NEW."costing_id", NEW."date_of_birth", NEW."employer_ni_weekly", NEW."gross_weekly", NEW."holiday_method", NEW."holiday_weekly", NEW."hourly_rate", NEW."hours_per_week", NEW."id", NEW."irregular_hours", NEW."label", NEW."ni_category", NEW."order", NEW."pension", NEW."pension_category", NEW."pension_enrolled", NEW."pension_weekly", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."state_pension_date", NEW."state_pension_uncertain", NEW."stated_age", NEW."total_annual", NEW."total_weekly"); RETURN NULL;', hash='7107ef3626bdc2c5730532bd64acad0fb8f1d66e', operation='INSERT', pgid='pgtrigger_insert_insert_05d3c', table='budgets_pacostingline', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='pacostingline',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "budgets_pacostinglineevent" ("age_band", "age_on_effective_date", "age_source", "apprentice", "costing_id", "date_of_birth", "employer_ni_weekly", "gross_weekly", "holiday_method", "holiday_weekly", "hourly_rate", "hours_per_week", "id", "irregular_hours", "label", "ni_category", "order", "pension", "pension_category", "pension_enrolled", "pension_weekly", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "state_pension_date", "state_pension_uncertain", "stated_age", "total_annual", "total_weekly") VALUES (NEW."age_band", NEW."age_on_effective_date", NEW."age_source", NEW."apprentice", NEW."costing_id", NEW."date_of_birth", NEW."employer_ni_weekly", NEW."gross_weekly", NEW."holiday_method", NEW."holiday_weekly", NEW."hourly_rate", NEW."hours_per_week", NEW."id", NEW."irregular_hours", NEW."label", NEW."ni_category", NEW."order", NEW."pension", NEW."pension_category", NEW."pension_enrolled", NEW."pension_weekly", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."state_pension_date", NEW."state_pension_uncertain", NEW."stated_age", NEW."total_annual", NEW."total_weekly"); RETURN NULL;', hash='de5dd492c48df916e5555fd25df796a187d50a6a', operation='UPDATE', pgid='pgtrigger_update_update_f1d13', table='budgets_pacostingline', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='pacostingline',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "budgets_pacostinglineevent" ("age_band", "age_on_effective_date", "age_source", "apprentice", "costing_id", "date_of_birth", "employer_ni_weekly", "gross_weekly", "holiday_method", "holiday_weekly", "hourly_rate", "hours_per_week", "id", "irregular_hours", "label", "ni_category", "order", "pension", "pension_category", "pension_enrolled", "pension_weekly", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "state_pension_date", "state_pension_uncertain", "stated_age", "total_annual", "total_weekly") VALUES (OLD."age_band", OLD."age_on_effective_date", OLD."age_source", OLD."apprentice", OLD."costing_id", OLD."date_of_birth", OLD."employer_ni_weekly", OLD."gross_weekly", OLD."holiday_method", OLD."holiday_weekly", OLD."hourly_rate", OLD."hours_per_week", OLD."id", OLD."irregular_hours", OLD."label", OLD."ni_category", OLD."order", OLD."pension", OLD."pension_category", OLD."pension_enrolled", OLD."pension_weekly", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."state_pension_date", OLD."state_pension_uncertain", OLD."stated_age", OLD."total_annual", OLD."total_weekly"); RETURN NULL;', hash='4150df500d63483ba89b1754c8f307fbf11778df', operation='DELETE', pgid='pgtrigger_delete_delete_86335', table='budgets_pacostingline', when='AFTER')),
        ),
        migrations.AddConstraint(
            model_name='nationalrateset',
            constraint=models.CheckConstraint(condition=models.Q(('upper_secondary_threshold_annual__gte', 0)), name='national_rates_upper_secondary_threshold_annual_gte_0'),
        ),
        migrations.AddConstraint(
            model_name='nationalrateset',
            constraint=models.CheckConstraint(condition=models.Q(('upper_secondary_threshold_weekly__gte', 0)), name='national_rates_upper_secondary_threshold_weekly_gte_0'),
        ),
        migrations.AddConstraint(
            model_name='nationalrateset',
            constraint=models.CheckConstraint(condition=models.Q(('upper_secondary_threshold_monthly__gte', 0)), name='national_rates_upper_secondary_threshold_monthly_gte_0'),
        ),
        migrations.AddConstraint(
            model_name='nationalrateset',
            constraint=models.CheckConstraint(condition=models.Q(('lower_earnings_limit_annual__lte', models.F('primary_threshold_annual')), ('ni_secondary_threshold_annual__lte', models.F('upper_secondary_threshold_annual')), ('ni_secondary_threshold_monthly__lte', models.F('ni_secondary_threshold_annual')), ('ni_secondary_threshold_weekly__lte', models.F('ni_secondary_threshold_monthly')), ('pension_qualifying_lower_annual__lte', models.F('pension_trigger_annual')), ('pension_trigger_annual__lte', models.F('pension_qualifying_upper_annual')), ('primary_threshold_annual__lt', models.F('upper_earnings_limit_annual')), ('upper_secondary_threshold_monthly__lte', models.F('upper_secondary_threshold_annual')), ('upper_secondary_threshold_weekly__lte', models.F('upper_secondary_threshold_monthly'))), name='national_rates_thresholds_ordered', violation_error_message="The thresholds must be in order: the lower earnings limit, then the primary threshold, then the upper earnings limit; the secondary threshold a week, a month, then a year, and then the upper secondary threshold a year; the upper secondary threshold a week, a month, then a year; and for the pension, the qualifying band's lower end, the earnings trigger, then its upper end"),
        ),
        migrations.AddConstraint(
            model_name='pacostingline',
            constraint=models.CheckConstraint(condition=models.Q(('ni_category__in', ['', 'A', 'M', 'H', 'C'])), name='pa_line_ni_category_valid'),
        ),
    ]
