from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from phb import services


class Command(BaseCommand):
    help = "Add an ICB (integrated care board) by its ODS code."

    def add_arguments(self, parser):
        parser.add_argument("ods_code")
        parser.add_argument("name")

    def handle(self, *args, ods_code, name, **options):
        try:
            icb = services.add_organisation(actor=None, ods_code=ods_code, name=name)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Added {icb}"))
