from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from phb import services
from phb.models import Organisation, Role


class Command(BaseCommand):
    help = (
        "Give someone a role (a new account is emailed a link to set its password). "
        "For the service administrator, give no ODS code."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("full_name")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument(
            "ods_code",
            nargs="?",
            help="The ODS code of the ICB they work for (not for service_admin)",
        )

    def handle(self, *args, email, full_name, role, ods_code, **options):
        organisation = None
        if ods_code:
            organisation = Organisation.objects.filter(ods_code=ods_code.strip().upper()).first()
            if organisation is None:
                raise CommandError(f"There is no ICB with the ODS code {ods_code}")
        try:
            user, created = services.add_staff_member(
                actor=None,
                organisation=organisation,
                email=email,
                full_name=full_name,
                roles=[role],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        emailed = "; a password link was emailed" if created else ""
        self.stdout.write(self.style.SUCCESS(f"{user.email} is now {Role(role).label}{emailed}."))
