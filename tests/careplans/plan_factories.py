"""What every complete plan the factories write records, whoever the person is: how it will be
known to be working, a significant risk, and who agreed it (the person, and whoever acts for
them now). Built through the services, like the plans themselves."""

from careplans import services
from phb.models import Representative, RepresentativeKind

OUTCOMES = "I walk Biscuit to the park most days; no falls"


def agreement(holder, on) -> dict:
    """`update_sections` arguments for who agreed the plan on `on`: the person and, when
    someone acts for them now, that representative (or else nominee) too."""
    acting = sorted(
        Representative.objects.current().filter(budget_holder=holder),
        key=lambda r: (r.kind != RepresentativeKind.REPRESENTATIVE, str(r.pk)),
    )
    agreed = {"person_agreed_on": on}
    if acting:
        agreed |= {"representative": acting[0], "representative_agreed_on": on}
    return agreed


def add_risk(author, version):
    return services.save_risk(
        actor=author,
        version=version,
        risk="A fall when moving from bed to chair",
        consequence="An injury and a stay in hospital",
        mitigation="Two people help with every transfer; a hoist is in place",
    )


def first_portion(budget, method=None):
    """The part of `budget` an item is paid from: the one held `method`, else the first."""
    portions = budget.portions.all()
    return portions.get(method=method) if method else portions.order_by("method").first()
