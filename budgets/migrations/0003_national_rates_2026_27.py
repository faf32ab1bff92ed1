"""Load the 2026/27 national employment figures (from DOMAIN.md)."""

import datetime
from decimal import Decimal

from django.db import migrations


# A copy, not an import: a migration must load the same figures forever.
NATIONAL_2026_27 = {
    "name": "2026/27",
    "nlw_21_plus": Decimal("12.71"),
    "nmw_18_20": Decimal("10.85"),
    "nmw_16_17_apprentice": Decimal("8.00"),
    "employer_ni_rate": Decimal("0.15"),
    "ni_secondary_threshold_annual": Decimal("5000"),
    "ni_secondary_threshold_weekly": Decimal("96"),
    "ni_secondary_threshold_monthly": Decimal("417"),
    "lower_earnings_limit_annual": Decimal("6708"),
    "primary_threshold_annual": Decimal("12570"),
    "upper_earnings_limit_annual": Decimal("50270"),
    "employment_allowance_annual": Decimal("10500"),
    "pension_trigger_annual": Decimal("10000"),
    "pension_qualifying_lower_annual": Decimal("6240"),
    "pension_qualifying_upper_annual": Decimal("50270"),
    "pension_employer_min_rate": Decimal("0.03"),
    "ssp_weekly": Decimal("123.25"),
    "ssp_earnings_rate": Decimal("0.80"),
    "holiday_weeks": Decimal("5.6"),
    "holiday_accrual_rate": Decimal("0.1207"),
}


def load(apps, schema_editor):
    NationalRateSet = apps.get_model("budgets", "NationalRateSet")
    NationalRateSet.objects.get_or_create(
        effective_from=datetime.date(2026, 4, 1), defaults=NATIONAL_2026_27
    )


class Migration(migrations.Migration):
    dependencies = [("budgets", "0002_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
