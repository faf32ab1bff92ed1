"""The care plans part of the national-scale dataset (`manage.py generate_dataset`, ADR 0027):
about one person in ten has a care and support plan being written (a draft version, in their
own words, with goals), as the care coordinator left it."""

import datetime

from careplans.models import CarePlan, Goal, PlanStatusChange, PlanVersion
from phb.dataset import Chunk, _at
from phb.extensions import DatasetPart, register_dataset_part

WITH_A_DRAFT_PLAN = 0.1
GOALS = [
    ("Go swimming with my grandchildren on Saturdays", "very"),
    ("Stay living in my own home", "very"),
    ("Get to the day centre twice a week", "important"),
    ("Have the same personal assistants each week", "important"),
    ("Sleep through the night without going to hospital", "very"),
    ("Cook a meal for my family once a week", "quite"),
]


def write(chunk: Chunk) -> None:
    rng = chunk.run.rng("careplans", chunk.icb.index, chunk.number)
    coordinator = chunk.icb.user("coordinator{icb}")
    plans, versions, changes, goals = [], [], [], []
    for person in chunk.people:
        if rng.random() >= WITH_A_DRAFT_PLAN:
            continue
        at = _at(chunk.run.today - datetime.timedelta(days=rng.randint(1, 60)), 14)
        plan, version = chunk.new_id(), chunk.new_id()
        plans.append((plan, person.id, coordinator, at, at))
        versions.append(
            (
                version,
                plan,
                1,
                "draft",
                "Being at home with my family, and my dog.",
                f"{person.given_name} knows what helps and says so.",
                coordinator,
                at,
                at,
            )
        )
        changes.append((chunk.new_id(), version, "", "draft", coordinator, at, "Started"))
        for order, (description, importance) in enumerate(rng.sample(GOALS, rng.randint(1, 3))):
            goals.append((chunk.new_id(), version, order, description, importance))
    chunk.copy(CarePlan, ("id", "budget_holder", "created_by", "created_at", "updated_at"), plans)
    chunk.copy(
        PlanVersion,
        (
            "id",
            "plan",
            "number",
            "status",
            "what_matters",
            "strengths",
            "created_by",
            "created_at",
            "updated_at",
        ),
        versions,
    )
    chunk.copy(
        PlanStatusChange,
        ("id", "version", "from_status", "to_status", "by", "at", "reason"),
        changes,
    )
    chunk.copy(Goal, ("id", "version", "order", "description", "importance"), goals)


def register() -> None:
    register_dataset_part(
        DatasetPart(name="careplans", setup=lambda run: None, write=write, order=200)
    )
