import uuid
import zoneinfo

from django.db import migrations

STAFF_ROLES = [
    "phb_lead",
    "care_coordinator",
    "panel_member",
    "clinician",
    "finance_officer",
    "pa_employer_support",
    "icb_admin",
]


def roles_to_assignments(apps, schema_editor):
    User = apps.get_model("phb", "User")
    RoleAssignment = apps.get_model("phb", "RoleAssignment")
    london = zoneinfo.ZoneInfo("Europe/London")
    RoleAssignment.objects.bulk_create(
        RoleAssignment(
            id=uuid.uuid4(),
            user_id=user.pk,
            organisation_id=user.organisation_id,
            role=user.role,
            starts_on=user.date_joined.astimezone(london).date(),
        )
        for user in User.objects.filter(role__in=STAFF_ROLES, organisation__isnull=False)
    )


class Migration(migrations.Migration):
    """Today's staff keep their role in their ICB, from the day their account was made."""

    dependencies = [("phb", "0002_role_assignments")]

    operations = [migrations.RunPython(roles_to_assignments, migrations.RunPython.noop)]
