from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from phb import services
from phb.models import STAFF_ROLES


class Command(BaseCommand):
    help = "Add a member of an ICB's staff and email them a link to set their password."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("full_name")
        parser.add_argument("role", choices=sorted(STAFF_ROLES))
        parser.add_argument("ods_code", help="The ODS code of the ICB they work for")

    def handle(self, *args, email, full_name, role, ods_code, **options):
        try:
            user = services.add_staff_user(
                email=email, full_name=full_name, role=role, ods_code=ods_code
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Added {user.email}; a password link was emailed."))
