"""Training services: the catalogue seeded for every ICB (migration and new ICBs), changing
it, and recording a PA's training, with bad input refused and nothing saved."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from employers.models import PersonalAssistantStatus
from employers.models.training import (
    CARE_CERTIFICATE_STANDARDS,
    Funding,
    ModuleKind,
    TrainingModule,
    TrainingRecord,
)
from employers.services import training as services
from phb.services import add_organisation
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.employers.factories_training import PDF, PNG, module, record, standard

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 4)


@pytest.fixture
def assistant(holder):
    return PersonalAssistantFactory(
        employer=EmployerFactory(budget_holder=holder), user=PaUserFactory()
    )


def details(training, **changes):
    fields = {
        "module": training,
        "provider": "Carewise Training",
        "completed_on": datetime.date(2026, 11, 1),
        "funding": Funding.BUDGET,
    } | changes
    return services.TrainingDetails(**fields)


def test_a_new_icb_gets_the_care_certificate_and_core_modules(service_admin):
    icb = add_organisation(actor=service_admin, ods_code="QX9", name="NHS Somewhere ICB")
    modules = TrainingModule.objects.filter(organisation=icb)
    standards = modules.filter(kind=ModuleKind.CARE_CERTIFICATE).order_by("standard_number")
    assert [m.name for m in standards] == list(CARE_CERTIFICATE_STANDARDS)
    assert all(m.refresh_months is None for m in standards)
    assert module(icb, "Moving and handling").refresh_months == 12
    assert module(icb, "Food hygiene").refresh_months == 36
    # Seeding again adds nothing.
    assert services.seed_catalogue(organisation=icb) == 0


def test_a_test_icb_has_the_whole_catalogue(icb):
    count = TrainingModule.objects.filter(organisation=icb).count()
    assert count == 16 + len(services.CORE_MODULES)


def test_an_icb_admin_adds_and_changes_a_module(icb, icb_admin, other_icb_lead):
    added = services.add_module(
        actor=icb_admin,
        organisation=icb,
        details=services.ModuleDetails(
            name="Epilepsy awareness", description="", refresh_months=24
        ),
    )
    assert added.kind == ModuleKind.CORE
    with pytest.raises(ValidationError) as error:
        services.add_module(
            actor=icb_admin,
            organisation=icb,
            details=services.ModuleDetails(
                name="epilepsy awareness", description="", refresh_months=None
            ),
        )
    assert "already has training" in str(error.value)
    with pytest.raises(ValidationError):
        services.change_module(
            actor=icb_admin, module=added, description="", refresh_months=0, active=True
        )
    services.change_module(
        actor=icb_admin, module=added, description="Seizures", refresh_months=None, active=False
    )
    added.refresh_from_db()
    assert (added.refresh_months, added.active) == (None, False)
    with pytest.raises(PermissionDenied):
        services.change_module(
            actor=other_icb_lead, module=added, description="", refresh_months=1, active=True
        )


def test_the_expiry_defaults_from_the_refresh_interval(icb, assistant, pa_employer_support):
    done = record(assistant, pa_employer_support, module(icb, "Food hygiene"), TODAY)
    assert done.expires_on == datetime.date(2029, 12, 4)
    leap = record(
        assistant,
        pa_employer_support,
        module(icb, "Moving and handling"),
        datetime.date(2024, 2, 29),
    )
    assert leap.expires_on == datetime.date(2025, 2, 28)


def test_the_employer_side_records_and_the_pa_may_not(icb, assistant, holder, representative):
    record(assistant, holder.user, module(icb, "Basic life support update"), TODAY)
    record(assistant, representative, module(icb, "Food hygiene"), TODAY)
    with pytest.raises(PermissionDenied):
        record(assistant, assistant.user, module(icb, "Medication awareness"), TODAY)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"expires_on": datetime.date(2026, 10, 1)}, "expires_on"),
        ({"expires_on": datetime.date(2026, 11, 1)}, "expires_on"),
        ({"completed_on": TODAY + datetime.timedelta(days=1)}, "completed_on"),
        # Mistyped years: before the PA was 16, or a certificate valid for over 10 years.
        ({"completed_on": datetime.date(1900, 1, 1)}, "completed_on"),
        ({"expires_on": datetime.date(2999, 1, 1)}, "expires_on"),
        ({"expires_on": datetime.date(2036, 12, 5)}, "expires_on"),
        ({"provider": "   "}, "provider"),
        ({"funding": "lottery"}, "funding"),
        (
            {"evidence": services.Evidence(content=b"MZ\x90\x00" * 10, filename="cert.pdf")},
            "evidence",
        ),
        ({"evidence": services.Evidence(content=PNG, filename="cert.pdf")}, "evidence"),
        ({"evidence": services.Evidence(content=PDF, filename="cert.exe")}, "evidence"),
        ({"evidence": services.Evidence(content=b"", filename="cert.pdf")}, "evidence"),
        (
            {
                "evidence": services.Evidence(
                    content=PDF + b"0" * (5 * 1024 * 1024), filename="a.pdf"
                )
            },
            "evidence",
        ),
        ({"observed_on": datetime.date(2026, 11, 2)}, "observed_on"),
        ({"assessor_name": "Jo Assessor"}, "assessor_name"),
        # Far-future years are refused as in the future, not worked out past 9999.
        ({"completed_on": datetime.date(9999, 12, 31)}, "completed_on"),
        (
            {"completed_on": datetime.date(9995, 1, 1), "expires_on": datetime.date(9999, 1, 1)},
            "completed_on",
        ),
    ],
)
def test_bad_training_is_refused_and_nothing_saved(
    icb, assistant, pa_employer_support, changes, field
):
    with pytest.raises(ValidationError) as error:
        services.record_training(
            actor=pa_employer_support,
            assistant=assistant,
            details=details(module(icb, "Food hygiene"), **changes),
            today=TODAY,
        )
    assert field in error.value.message_dict
    assert not TrainingRecord.objects.exists()


def test_a_care_certificate_standard_needs_the_assessors_observation(
    icb, assistant, pa_employer_support
):
    with pytest.raises(ValidationError) as error:
        services.record_training(
            actor=pa_employer_support,
            assistant=assistant,
            details=details(standard(icb, 3)),
            today=TODAY,
        )
    assert set(error.value.message_dict) == {"assessor_name", "observed_on"}
    with pytest.raises(ValidationError) as error:
        record(
            assistant,
            pa_employer_support,
            standard(icb, 3),
            TODAY,
            observed_on=TODAY - datetime.timedelta(days=1),
        )
    assert "on or after the date completed" in str(error.value)
    done = record(assistant, pa_employer_support, standard(icb, 3), TODAY)
    assert (done.assessor_name, done.observed_on, done.expires_on) == ("Jo Assessor", TODAY, None)


def test_evidence_is_kept_with_a_safe_name(icb, assistant, pa_employer_support):
    done = record(
        assistant,
        pa_employer_support,
        module(icb, "Food hygiene"),
        TODAY,
        evidence=services.Evidence(content=PDF, filename='..\\odd "name".PDF'),
    )
    assert bytes(done.evidence) == PDF
    assert done.evidence_filename == "odd__name_.PDF"
    assert done.evidence_content_type == "application/pdf"


def test_training_of_another_icb_or_for_a_pa_who_left_is_refused(
    icb, other_icb, assistant, pa_employer_support
):
    with pytest.raises(ValidationError) as error:
        record(assistant, pa_employer_support, module(other_icb, "Food hygiene"), TODAY)
    assert "module" in error.value.message_dict
    assistant.status = PersonalAssistantStatus.LEFT
    assistant.left_on = TODAY
    assistant.left_reason = "Moved away"
    assistant.save()
    with pytest.raises(PermissionDenied):
        record(assistant, pa_employer_support, module(icb, "Food hygiene"), TODAY)
    assert not TrainingRecord.objects.exists()


def test_a_standard_observed_after_its_expiry_is_refused(icb, assistant, pa_employer_support):
    """Completed 1 November 2026, expiring 2 November 2026, observed 5 November 2026: the
    assessor cannot sign off a standard already out of date. Observed on the expiry day it is
    accepted."""
    duty = standard(icb, 3)
    with pytest.raises(ValidationError) as error:
        record(
            assistant,
            pa_employer_support,
            duty,
            datetime.date(2026, 11, 1),
            expires_on=datetime.date(2026, 11, 2),
            observed_on=datetime.date(2026, 11, 5),
        )
    assert error.value.message_dict == {
        "observed_on": ["The date observed must be on or before the expiry date"]
    }
    assert not TrainingRecord.objects.exists()
    done = record(
        assistant,
        pa_employer_support,
        duty,
        datetime.date(2026, 11, 1),
        expires_on=datetime.date(2026, 11, 2),
        observed_on=datetime.date(2026, 11, 2),
    )
    assert done.observed_on == datetime.date(2026, 11, 2)
