"""Each ICB's budget policy, and the separation of duties it decides.

By default whoever set a budget up, changed it as a draft or proposed it does not also agree
it. An ICB's administrator may allow it below an amount the ICB chooses. The services refuse
it, the budget page does not offer it, and a database trigger refuses it whatever the route.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from budgets.models import BudgetPolicy
from budgets.money import check_money
from phb.models import Organisation
from phb.permissions import Permission, require
from phb.services import NOT_SHOWN


def budget_policy_for(organisation_id) -> BudgetPolicy | None:
    """The ICB's policy, or None when it follows the defaults."""
    return BudgetPolicy.objects.filter(organisation_id=organisation_id).first()


def agreement_refusal(
    budget, user, policy: BudgetPolicy | None, *, prepared: bool | None = None
) -> str | None:
    """Why `user` may not agree `budget` under the separation of duties, or None if they may.

    Whether the user prepared it is `prepared` when the caller asked the database already (a
    work queue's page of budgets); otherwise it is read from the budget's status changes and
    edits through `.all()`, so a prefetch serves it.
    """
    if prepared is None:
        prepared = user.pk in budget.preparer_ids()
    if not prepared:
        return None
    if policy is not None and policy.preparer_may_agree_amount(budget.agreed_amount):
        return None
    refusal = "You prepared or proposed this budget, so another PHB lead must agree it"
    if policy is not None and policy.preparer_may_agree:
        refusal += (
            f". Your ICB lets whoever prepared a budget agree it only below "
            f"£{policy.preparer_may_agree_below:,.2f}"
        )
    return refusal


@transaction.atomic
def save_budget_policy(
    *,
    actor,
    preparer_may_agree: bool,
    preparer_may_agree_below: Decimal | None = None,
    seen_updated_at=NOT_SHOWN,
) -> BudgetPolicy:
    """Set the policy of the ICB the actor acts for (its administrator only).
    `seen_updated_at` is when the policy was last changed as the page showed it (None: the
    page showed none): if it has changed since (another tab, another administrator), nothing
    is written."""
    organisation = actor.acting_organisation
    require(actor, Permission.EDIT_BUDGET_POLICY, organisation)
    # The ICB's row is locked, as the policy's may not exist yet: a second save at the same
    # moment waits for the first and then sees its policy.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    if seen_updated_at is not NOT_SHOWN:
        now = (
            BudgetPolicy.objects.select_for_update()
            .filter(organisation=organisation)
            .values_list("updated_at", flat=True)
            .first()
        )
        if now != seen_updated_at:
            raise ValidationError(
                "Someone changed the budget policy after you opened this page. The page now "
                "shows it as it is: make your change again. Nothing was changed."
            )
    if not isinstance(preparer_may_agree, bool):
        raise TypeError("preparer_may_agree must be True or False")
    if preparer_may_agree:
        if preparer_may_agree_below is None:
            raise ValidationError(
                {
                    "preparer_may_agree_below": "Enter the amount below which whoever prepared "
                    "a budget may also agree it"
                }
            )
        preparer_may_agree_below = check_money(
            preparer_may_agree_below,
            what="The amount",
            field="preparer_may_agree_below",
            minimum=Decimal("0.01"),
        )
    else:
        preparer_may_agree_below = None
    policy = BudgetPolicy.objects.select_for_update().filter(
        organisation=organisation
    ).first() or BudgetPolicy(organisation=organisation)
    policy.preparer_may_agree = preparer_may_agree
    policy.preparer_may_agree_below = preparer_may_agree_below
    policy.full_clean()
    policy.save()
    return policy
