"""Whose record an address about a plan names, for the access log of a refused request
(phb.extensions.register_person_link). Called from careplans' AppConfig.ready()."""

from careplans.models import (
    CarePlan,
    PlanLetter,
    PlanVersion,
    ReconsiderationRequest,
    RepaymentRequest,
    Review,
)
from phb.extensions import register_person_link


def register() -> None:
    register_person_link(CarePlan, "budget_holder_id")
    register_person_link(PlanVersion, "plan__budget_holder_id")
    register_person_link(PlanLetter, "budget_holder_id")
    register_person_link(Review, "plan__budget_holder_id")
    register_person_link(ReconsiderationRequest, "budget_holder_id")
    register_person_link(RepaymentRequest, "budget__budget_holder_id")
