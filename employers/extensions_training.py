"""What training adds to the core: every new ICB gets the training catalogue (the core does
not import employers, so a post_save signal on Organisation seeds it), a PA lands on nothing
new but the person's record links to... nothing yet (see the report), and the demo data.
`register()` is called from employers/apps.py."""

from django.db.models.signals import post_save

from employers import tasks_training  # noqa: F401 - the worker learns the daily job
from employers.demo_training import seed_training
from employers.services.training import seed_catalogue
from phb.extensions import register_demo_seeder
from phb.models import Organisation


def seed_new_icb(sender, instance, created, raw=False, **kwargs) -> None:
    """A new ICB starts with the 16 Care Certificate standards and the core modules."""
    if created and not raw:
        seed_catalogue(organisation=instance)


def register() -> None:
    post_save.connect(seed_new_icb, sender=Organisation, dispatch_uid="training_catalogue_seed")
    register_demo_seeder(seed_training)
