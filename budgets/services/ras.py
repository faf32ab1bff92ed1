"""Resource allocation: questionnaires (versions per ICB and year) and assessments."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from budgets import calculations as calc
from budgets.models import (
    RasAnswerOption,
    RasAssessment,
    RasAssessmentAnswer,
    RasDomain,
    RasQuestionnaire,
)
from budgets.models.ras import QuestionnaireStatus
from budgets.money import check_money, check_within_limit
from phb.permissions import Permission, require


@transaction.atomic
def create_questionnaire(
    *, actor, financial_year: int, price_per_point: Decimal, based_on=None
) -> RasQuestionnaire:
    """A new draft version for the year, copying the domains and answers of `based_on`."""
    organisation = actor.acting_organisation
    require(actor, Permission.MANAGE_RAS, organisation)
    price_per_point = _price_per_point(price_per_point)
    latest = (
        RasQuestionnaire.objects.select_for_update()
        .filter(organisation=organisation, financial_year=financial_year)
        .order_by("-version")
        .first()
    )
    questionnaire = RasQuestionnaire(
        organisation=organisation,
        financial_year=financial_year,
        version=(latest.version + 1) if latest else 1,
        price_per_point=price_per_point,
        based_on=based_on,
    )
    questionnaire.full_clean()
    questionnaire.save()
    if based_on is not None:
        if based_on.organisation_id != organisation.pk:
            raise PermissionDenied
        for domain in based_on.domains.prefetch_related("options"):
            copy = RasDomain.objects.create(
                questionnaire=questionnaire,
                name=domain.name,
                question=domain.question,
                order=domain.order,
            )
            RasAnswerOption.objects.bulk_create(
                RasAnswerOption(domain=copy, text=o.text, points=o.points, order=o.order)
                for o in domain.options.all()
            )
    return questionnaire


def _editable_questionnaire(actor, questionnaire) -> RasQuestionnaire:
    require(actor, Permission.MANAGE_RAS, questionnaire)
    locked = RasQuestionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if not locked.editable:
        raise ValidationError(
            "This version is in use, so it cannot be changed. Make a new version instead."
        )
    return locked


def _price_per_point(value) -> Decimal:
    return check_money(
        value, what="The price per point", field="price_per_point", minimum=Decimal("0.01")
    )


@transaction.atomic
def set_price_per_point(*, actor, questionnaire, price_per_point: Decimal) -> RasQuestionnaire:
    questionnaire = _editable_questionnaire(actor, questionnaire)
    questionnaire.price_per_point = _price_per_point(price_per_point)
    questionnaire.full_clean()
    questionnaire.save()
    return questionnaire


@transaction.atomic
def add_domain(*, actor, questionnaire, name: str, question: str, options) -> RasDomain:
    """Add a domain with its answers, given as (text, points) pairs."""
    questionnaire = _editable_questionnaire(actor, questionnaire)
    options = [(text.strip(), int(points)) for text, points in options if text.strip()]
    if len(options) < 2:
        raise ValidationError({"options": "Give at least 2 answers, each with its points"})
    if any(points < 0 for _, points in options):
        raise ValidationError({"options": "Points cannot be negative"})
    if any(points > calc.MAX_POINTS for _, points in options):
        raise ValidationError({"options": f"Points must be {calc.MAX_POINTS:,} or fewer"})
    if any(len(text) > RasAnswerOption._meta.get_field("text").max_length for text, _ in options):
        raise ValidationError({"options": "Each answer must be 300 characters or fewer"})
    if questionnaire.domains.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": f"There is already a domain called {name.strip()}"})
    domain = RasDomain.objects.create(
        questionnaire=questionnaire,
        name=name.strip(),
        question=question.strip(),
        order=questionnaire.domains.count(),
    )
    RasAnswerOption.objects.bulk_create(
        RasAnswerOption(domain=domain, text=text, points=points, order=index)
        for index, (text, points) in enumerate(options)
    )
    return domain


@transaction.atomic
def remove_domain(*, actor, domain) -> None:
    _editable_questionnaire(actor, domain.questionnaire)
    domain.delete()


@transaction.atomic
def publish_questionnaire(*, actor, questionnaire) -> RasQuestionnaire:
    """Put a version in use for its year; the version it replaces is retired."""
    questionnaire = _editable_questionnaire(actor, questionnaire)
    if not questionnaire.domains.exists():
        raise ValidationError("Add at least one domain before putting this version in use")
    RasQuestionnaire.objects.filter(
        organisation=questionnaire.organisation,
        financial_year=questionnaire.financial_year,
        status=QuestionnaireStatus.PUBLISHED,
    ).update(status=QuestionnaireStatus.RETIRED)
    questionnaire.status = QuestionnaireStatus.PUBLISHED
    questionnaire.save()
    return questionnaire


@transaction.atomic
def complete_ras_assessment(
    *, actor, budget_holder, questionnaire, effective_date: datetime.date, answers: dict
) -> RasAssessment:
    """Score the person's answers ({domain id: option id}) at the version's price per point."""
    require(actor, Permission.CALCULATE, budget_holder)
    if questionnaire.organisation_id != budget_holder.organisation_id:
        raise PermissionDenied
    if questionnaire.status != QuestionnaireStatus.PUBLISHED:
        raise ValidationError("This questionnaire version is not in use")
    start, _ = calc.financial_year(effective_date)
    if start.year != questionnaire.financial_year:
        raise ValidationError(
            {"effective_date": f"Use a date in {questionnaire.financial_year_label}"}
        )
    domains = list(questionnaire.domains.prefetch_related("options"))
    chosen = []
    missing = []
    for domain in domains:
        option = next(
            (o for o in domain.options.all() if str(o.pk) == str(answers.get(str(domain.pk)))), None
        )
        if option is None:
            missing.append(domain.name)
        else:
            chosen.append((domain, option))
    if missing:
        raise ValidationError(f"Answer every question. Missing: {', '.join(missing)}")
    result = calc.score_ras(
        [calc.RasAnswerInput(domain=d.name, answer=o.text, points=o.points) for d, o in chosen],
        questionnaire.price_per_point,
    )
    check_within_limit(result.annual_amount, what="The resource allocation")
    assessment = RasAssessment.objects.create(
        budget_holder=budget_holder,
        questionnaire=questionnaire,
        effective_date=effective_date,
        completed_by=actor,
        total_points=result.total_points,
        price_per_point=result.price_per_point,
        annual_amount=result.annual_amount,
    )
    RasAssessmentAnswer.objects.bulk_create(
        RasAssessmentAnswer(
            assessment=assessment,
            domain=domain,
            option=option,
            points=line.points,
            amount=line.amount,
        )
        for (domain, option), line in zip(chosen, result.lines, strict=True)
    )
    return assessment
