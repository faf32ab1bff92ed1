"""What training adds to the core's pages without the core importing employers: every new
ICB gets the training catalogue (a post_save signal on Organisation), header links to
"Training due" and the catalogue, a card on the person's record and the holder's own page
linking to each PA's training, and the demo data. `register()` is called from
employers/apps.py."""

from django.db.models.signals import post_save

from employers import (
    selectors,
    tasks_training,  # noqa: F401 - the worker learns the daily job
)
from employers.demo_training import seed_training
from employers.services.training import seed_catalogue
from phb.extensions import (
    NavigationItem,
    RecordSection,
    read_once,
    register_demo_seeder,
    register_navigation_item,
    register_record_section,
)
from phb.models import Organisation
from phb.permissions import Permission


def seed_new_icb(sender, instance, created, raw=False, **kwargs) -> None:
    """A new ICB starts with the 16 Care Certificate standards and the core modules."""
    if created and not raw:
        seed_catalogue(organisation=instance)


def _section(request, holder) -> dict:
    """The PAs whose training the user may see (the employer's, read once for the page)."""
    employer = read_once(holder, selectors.employer_of)
    if employer is None or not request.user.has_perm(Permission.VIEW_PA_TRAINING, employer):
        return {"assistants": []}
    return {"assistants": employer.employed}


def register() -> None:
    post_save.connect(seed_new_icb, sender=Organisation, dispatch_uid="training_catalogue_seed")
    register_demo_seeder(seed_training)
    for audience in ("holder", "staff"):
        register_record_section(
            RecordSection(
                audience=audience,
                template_name="employers/training/section.html",
                context=_section,
                order=70,
            )
        )
    register_navigation_item(
        NavigationItem(
            text="Training due",
            url_name="employers:training_due",
            permission=Permission.VIEW_EMPLOYERS,
            order=80,
        )
    )
    register_navigation_item(
        NavigationItem(
            text="Training catalogue",
            url_name="employers:training_catalogue",
            permission=Permission.MANAGE_TRAINING_CATALOGUE,
            order=85,
        )
    )
