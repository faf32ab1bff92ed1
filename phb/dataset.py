"""A national-scale dataset for benchmarks: `manage.py generate_dataset --people N` (ADR 0027).

The core makes the ICBs (42 by default, people spread unevenly over them as in England: at
250,000 people the largest has about 20,000), their staff with predictable sign-ins, and the
people: names, valid NHS numbers in the 999 test range, dates of birth, eligibility, contact
details, some with their own sign-in or a representative, and a record-access log. Later apps
add their rows through `phb.extensions.register_dataset_part` (ADR 0007), so the core imports
none of them.

Rows are written with COPY, in chunks of one ICB's people, each chunk in its own transaction
with every constraint checked immediately (`SET CONSTRAINTS ALL IMMEDIATE`): every trigger
fires for every row (the audit triggers included), and the cost per row stays the same
however large the dataset grows. Each chunk is attributed in the audit history to the ICB's
PHB lead, with the command's name.

Deterministic for a seed, on a given day: the ids, names, amounts and choices come from the
seed; dates are placed around today, because the database refuses, for example, an unpaid
instalment due before today.
"""

import datetime
import json
import multiprocessing
import pickle
import random
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from phb import dataset_workers
from phb.database import check_constraints_immediately
from phb.extensions import dataset_parts
from phb.models import (
    AccessOutcome,
    BudgetHolder,
    ContactMethod,
    EligibilityGroup,
    Organisation,
    RecordAccess,
    Representative,
    RepresentativeKind,
    Role,
    RoleAssignment,
    User,
)

PASSWORD = "bench-phb-2026"
EMAIL_DOMAIN = "bench.phb.test"
ODS_PREFIX = "BN"
ICB_COUNT = 42
# Of 250,000 people, the largest of 42 ICBs holds about 20,000.
LARGEST_SHARE = 0.08
CHUNK_PEOPLE = 2500
HOLDERS_WITH_SIGN_IN = 50
# One person in this many has a representative with a sign-in.
REPRESENTED_EVERY = 50
FIRST_NHS_NUMBER = 9_995_000_000
COMMAND = "generate_dataset"

# Staff of each ICB: (email pattern, role, name). Emails: lead0@bench.phb.test and so on.
STAFF = [
    ("lead{icb}", Role.PHB_LEAD, "PHB Lead"),
    ("lead{icb}b", Role.PHB_LEAD, "Second PHB Lead"),
    ("coordinator{icb}", Role.CARE_COORDINATOR, "Care Coordinator"),
    ("clinician{icb}", Role.CLINICIAN, "Clinician"),
    ("finance{icb}", Role.FINANCE_OFFICER, "Finance Officer"),
    ("admin{icb}", Role.ICB_ADMIN, "ICB Administrator"),
    ("panel{icb}", Role.PANEL_MEMBER, "Panel Member"),
    ("support{icb}", Role.PA_EMPLOYER_SUPPORT, "PA Employer Support"),
]

GIVEN_NAMES = [
    "Oliver",
    "George",
    "Arthur",
    "Noah",
    "Muhammad",
    "Leo",
    "Harry",
    "Oscar",
    "Archie",
    "Henry",
    "Theodore",
    "Freddie",
    "Jack",
    "Charlie",
    "Theo",
    "Alfie",
    "Jacob",
    "Thomas",
    "Finley",
    "Arlo",
    "William",
    "Lucas",
    "Roman",
    "Tommy",
    "Isaac",
    "Teddy",
    "Alexander",
    "Luca",
    "Edward",
    "James",
    "Joshua",
    "Albie",
    "Elijah",
    "Max",
    "Mohammed",
    "Reggie",
    "Hudson",
    "Sebastian",
    "Ronnie",
    "Adam",
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Ivy",
    "Freya",
    "Lily",
    "Florence",
    "Mia",
    "Willow",
    "Rosie",
    "Sophia",
    "Isabella",
    "Grace",
    "Daisy",
    "Sienna",
    "Poppy",
    "Elsie",
    "Emily",
    "Ella",
    "Evelyn",
    "Phoebe",
    "Sofia",
    "Evie",
    "Charlotte",
    "Harper",
    "Millie",
    "Matilda",
    "Maya",
    "Sophie",
    "Alice",
    "Emilia",
    "Isabelle",
    "Ruby",
    "Luna",
    "Maisie",
    "Aria",
    "Penelope",
    "Mila",
    "Bonnie",
    "Eva",
    "Hallie",
    "Margaret",
    "Patricia",
    "Susan",
    "Janet",
    "Christine",
    "Barbara",
    "Brian",
    "David",
    "Peter",
    "Michael",
    "John",
    "Robert",
    "Priya",
    "Aisha",
    "Fatima",
    "Zara",
    "Amir",
    "Yusuf",
    "Hamza",
    "Anjali",
    "Deepak",
    "Chen",
    "Wei",
    "Kwame",
    "Ama",
    "Chidi",
    "Ngozi",
]
FAMILY_NAMES = [
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "James",
    "Scott",
    "Phillips",
    "Watson",
    "Davis",
    "Parker",
    "Price",
    "Bennett",
    "Young",
    "Griffiths",
    "Mitchell",
    "Kelly",
    "Cook",
    "Carter",
    "Richardson",
    "Bailey",
    "Collins",
    "Bell",
    "Shaw",
    "Murphy",
    "Miller",
    "Cox",
    "Richards",
    "Khan",
    "Marshall",
    "Anderson",
    "Simpson",
    "Ellis",
    "Adams",
    "Singh",
    "Begum",
    "Wilkinson",
    "Foster",
    "Chapman",
    "Powell",
    "Webb",
    "Rogers",
    "Gray",
    "Mason",
    "Ali",
    "Hunt",
    "Hussain",
    "Campbell",
    "Matthews",
    "Owen",
    "Palmer",
    "Holmes",
    "Mills",
    "Barnes",
    "Knight",
    "Lloyd",
    "Butler",
    "Russell",
    "Barker",
    "Fisher",
    "Stevens",
    "Jenkins",
    "Murray",
    "Dixon",
    "Harvey",
    "Graham",
    "Pearson",
    "Ahmed",
    "Fletcher",
    "Walsh",
    "Kaur",
    "Gibson",
    "Howard",
    "Andrews",
    "Stewart",
    "Elliott",
    "Reynolds",
    "Saunders",
    "Payne",
    "Fox",
    "Ford",
    "Pearce",
    "Day",
    "Brooks",
    "Okafor",
    "Adeyemi",
    "Nowak",
    "Kowalski",
    "Chen",
    "Wong",
    "Nguyen",
    "Rahman",
    "Chowdhury",
    "Mensah",
    "Osei",
    "Reid",
    "Novak",
]
STREETS = [
    "High Street",
    "Station Road",
    "Main Street",
    "Park Road",
    "Church Road",
    "Church Street",
    "London Road",
    "Victoria Road",
    "Green Lane",
    "Manor Road",
    "Church Lane",
    "Park Avenue",
    "The Avenue",
    "Queens Road",
    "New Road",
    "Grange Road",
    "Kings Road",
    "Kingsway",
    "Windsor Road",
    "Highfield Road",
    "Mill Lane",
    "Alexander Road",
    "York Road",
    "St John's Road",
    "Main Road",
    "Broadway",
    "King Street",
    "The Green",
]
TOWNS = [
    "Northtown",
    "Southtown",
    "Eastbury",
    "Westford",
    "Millbrook",
    "Ashford",
    "Oakham",
    "Riverside",
    "Hillcrest",
    "Brookfield",
    "Kingsbridge",
    "Marston",
    "Elmswell",
    "Fairview",
    "Stonebridge",
    "Greenhill",
    "Lakeside",
    "Newbury",
    "Redhill",
    "Seaton",
]
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# Why people can have a personal health budget, weighted roughly as in England.
ELIGIBILITY_WEIGHTS = [
    (EligibilityGroup.CHC, 45),
    (EligibilityGroup.S117, 12),
    (EligibilityGroup.CHILDRENS_CONTINUING_CARE, 6),
    (EligibilityGroup.WHEELCHAIR, 15),
    (EligibilityGroup.EHCP, 7),
    (EligibilityGroup.LOCAL_OFFER, 15),
]
CHILDREN = {EligibilityGroup.CHILDRENS_CONTINUING_CARE, EligibilityGroup.EHCP}
ACCESS_WHAT = ["record", "record", "budget page", "history", "record (edit)"]


class AlreadyGenerated(Exception):
    """The database already holds a generated dataset."""


def nhs_numbers(start: int = FIRST_NHS_NUMBER) -> Iterable[str]:
    """Valid NHS numbers (modulus 11 check digit) from `start` upwards, in order."""
    stem = start // 10
    while True:
        digits = str(stem)
        total = sum(int(d) * (10 - i) for i, d in enumerate(digits))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            yield f"{digits}{check}"
        stem += 1


def icb_sizes(people: int, icbs: int) -> list[int]:
    """`people` over `icbs` ICBs, largest first, in a Zipf-like spread (weight 1 / rank^s, with s
    chosen so that the largest holds LARGEST_SHARE of everyone when there are 42)."""
    exponent = 0.5
    if icbs > 1:
        low, high = 0.0, 3.0
        for _ in range(60):
            exponent = (low + high) / 2
            share = 1 / sum(1 / (rank**exponent) for rank in range(1, ICB_COUNT + 1))
            low, high = (exponent, high) if share < LARGEST_SHARE else (low, exponent)
    weights = [1 / (rank**exponent) for rank in range(1, icbs + 1)]
    total = sum(weights)
    exact = [people * weight / total for weight in weights]
    sizes = [int(share) for share in exact]
    by_remainder = sorted(range(icbs), key=lambda i: (sizes[i] - exact[i], i))
    for index in by_remainder[: people - sum(sizes)]:
        sizes[index] += 1
    return sizes


def bench_email(pattern: str, icb: int) -> str:
    return f"{pattern.format(icb=icb)}@{EMAIL_DOMAIN}"


def holder_email(icb: int, number: int) -> str:
    return f"holder{icb}-{number}@{EMAIL_DOMAIN}"


def representative_email(icb: int, number: int) -> str:
    return f"representative{icb}-{number}@{EMAIL_DOMAIN}"


@dataclass
class BenchIcb:
    index: int
    id: uuid.UUID
    ods_code: str
    size: int
    staff: dict[str, uuid.UUID] = field(default_factory=dict)  # email pattern -> user id
    # Anything a part needs to keep for the ICB (rates, questionnaire, templates).
    extra: dict = field(default_factory=dict)

    def user(self, pattern: str) -> uuid.UUID:
        return self.staff[pattern]


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    number: int  # in their ICB, from 0
    given_name: str
    family_name: str
    date_of_birth: datetime.date
    eligibility: str
    created_at: datetime.datetime
    user_id: uuid.UUID | None


class Writer:
    """COPY rows into a model's table through Django's connection (so its triggers fire)."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self.seconds: Counter = Counter()
        self._plans: dict = {}

    def _plan(self, model, fields: tuple[str, ...]):
        key = (model, fields)
        if key not in self._plans:
            meta = model._meta
            given = [meta.get_field(name) for name in fields]
            rest = [
                f
                for f in meta.concrete_fields
                if f.name not in fields and not isinstance(f, models.GeneratedField) and not f.null
            ]
            columns = [f.column for f in given + rest]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({quoted}) FROM STDIN"
            self._plans[key] = (sql, tuple(f.get_default() for f in rest))
        return self._plans[key]

    def copy(self, model, fields: Sequence[str], rows: list[tuple]) -> int:
        if not rows:
            return 0
        sql, defaults = self._plan(model, tuple(fields))
        started = time.monotonic()
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row + defaults)
        self.seconds[model._meta.label] += time.monotonic() - started
        self.counts[model._meta.label] += len(rows)
        return len(rows)


@dataclass
class Run:
    """One generation: its options, the ICBs and staff, and what has been written."""

    people: int
    seed: int
    icb_count: int
    today: datetime.date
    now: datetime.datetime
    writer: Writer
    password_hash: str
    icbs: list[BenchIcb] = field(default_factory=list)

    def rng(self, *key) -> random.Random:
        """A random source for one part of the work, the same for the same seed and key."""
        # Not for secrets: the same data for the same seed is the point.
        return random.Random(":".join(str(k) for k in (self.seed, *key)))  # noqa: S311

    def copy(self, model, fields, rows) -> int:
        return self.writer.copy(model, fields, rows)


@dataclass
class Chunk:
    """Some of one ICB's people, written in one transaction."""

    run: Run
    icb: BenchIcb
    number: int
    people: list[Person]
    rng: random.Random

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def copy(self, model, fields, rows) -> int:
        return self.run.writer.copy(model, fields, rows)


def _at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _immediate_with_context(user_id: uuid.UUID | None, context_id: uuid.UUID) -> None:
    """Check every constraint as each statement ends (ADR 0027), and attribute what this
    transaction writes, in the audit history, to `user_id` and this command."""
    metadata = {"command": COMMAND}
    if user_id is not None:
        metadata["user"] = str(user_id)
    check_constraints_immediately()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pghistory.context_id', %s, true), "
            "set_config('pghistory.context_metadata', %s, true)",
            [str(context_id), json.dumps(metadata)],
        )


def already_generated() -> bool:
    """Whether the first bench ICB or its lead is there (their codes and emails are unique)."""
    return (
        Organisation.objects.filter(ods_code=f"{ODS_PREFIX}00").exists()
        or User.objects.filter(email=bench_email("lead{icb}", 0)).exists()
    )


def _setup(run: Run) -> None:
    rng = run.rng("setup")
    roles_from = run.today.replace(year=run.today.year - 3, month=4, day=1)
    for index, size in enumerate(icb_sizes(run.people, run.icb_count)):
        run.icbs.append(
            BenchIcb(
                index=index,
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                ods_code=f"{ODS_PREFIX}{index:02d}",
                size=size,
            )
        )
    with transaction.atomic():
        _immediate_with_context(None, uuid.UUID(int=rng.getrandbits(128), version=4))
        now = run.now
        run.copy(
            Organisation,
            ("id", "name", "ods_code", "phone", "email", "created_at", "updated_at"),
            [
                (
                    icb.id,
                    f"NHS Bench {icb.index} Integrated Care Board",
                    icb.ods_code,
                    f"0113 496 {icb.index:04d}",
                    f"phb{icb.index}@{EMAIL_DOMAIN}",
                    now,
                    now,
                )
                for icb in run.icbs
            ],
        )
        users, assignments = [], []
        for icb in run.icbs:
            for pattern, role, name in STAFF:
                user_id = uuid.UUID(int=rng.getrandbits(128), version=4)
                icb.staff[pattern] = user_id
                users.append(
                    (user_id, run.password_hash, bench_email(pattern, icb.index), name, True, now)
                )
                assignments.append(
                    (
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        user_id,
                        icb.id,
                        role,
                        roles_from,
                        now,
                        now,
                    )
                )
        run.copy(User, ("id", "password", "email", "full_name", "is_demo", "date_joined"), users)
        run.copy(
            RoleAssignment,
            ("id", "user", "organisation", "role", "starts_on", "created_at", "updated_at"),
            assignments,
        )
        for part in dataset_parts():
            part.setup(run)


def _people(run: Run, icb: BenchIcb, numbers: range, rng, nhs: Iterable[str], chunk: Chunk):
    groups = [group for group, _ in ELIGIBILITY_WEIGHTS]
    weights = [weight for _, weight in ELIGIBILITY_WEIGHTS]
    today = run.today
    holders, users, representatives = [], [], []
    for number in numbers:
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        eligibility = rng.choices(groups, weights)[0]
        age = rng.randint(2, 17) if eligibility in CHILDREN else rng.randint(18, 96)
        born = today - datetime.timedelta(days=age * 365 + rng.randint(0, 364))
        created = _at(today - datetime.timedelta(days=rng.randint(400, 1500)), 9 + number % 8)
        user_id = None
        if number < HOLDERS_WITH_SIGN_IN:
            user_id = chunk.new_id()
            users.append(
                (
                    user_id,
                    run.password_hash,
                    holder_email(icb.index, number),
                    f"{given} {family}",
                    True,
                    created,
                )
            )
        person = Person(chunk.new_id(), number, given, family, born, eligibility, created, user_id)
        chunk.people.append(person)
        has_email = rng.random() < 0.6
        email = f"{given}.{family}{number}@example.org".lower() if has_email else ""
        phone = f"07700 900{rng.randint(0, 999):03d}" if rng.random() < 0.8 else ""
        contact = [ContactMethod.LETTER]
        if email:
            contact.append(ContactMethod.EMAIL)
        if phone:
            contact += [ContactMethod.PHONE, ContactMethod.TEXT]
        letters = rng.choice(POSTCODE_LETTERS) + rng.choice(POSTCODE_LETTERS)
        holders.append(
            (
                person.id,
                icb.id,
                user_id,
                given,
                family,
                next(nhs),
                born,
                f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
                rng.choice(TOWNS),
                f"ZZ{rng.randint(1, 99)} {rng.randint(0, 9)}{letters}",
                email,
                phone,
                rng.choice(contact),
                "Large print letters" if rng.random() < 0.05 else "",
                eligibility,
                created,
                created,
            )
        )
        if number % REPRESENTED_EVERY == REPRESENTED_EVERY // 2:
            rep_id = chunk.new_id()
            rep_given = rng.choice(GIVEN_NAMES)
            users.append(
                (
                    rep_id,
                    run.password_hash,
                    representative_email(icb.index, number),
                    f"{rep_given} {family}",
                    True,
                    created,
                )
            )
            representatives.append(
                (
                    chunk.new_id(),
                    rep_id,
                    person.id,
                    RepresentativeKind.REPRESENTATIVE if age < 18 else RepresentativeKind.NOMINEE,
                    "Parent" if age < 18 else rng.choice(["Daughter", "Son", "Partner", "Friend"]),
                    created.date(),
                    created,
                    created,
                )
            )
    run.copy(User, ("id", "password", "email", "full_name", "is_demo", "date_joined"), users)
    run.copy(
        BudgetHolder,
        (
            "id",
            "organisation",
            "user",
            "given_name",
            "family_name",
            "nhs_number",
            "date_of_birth",
            "address_line_1",
            "town",
            "postcode",
            "email",
            "phone",
            "preferred_contact",
            "accessibility_needs",
            "eligibility",
            "created_at",
            "updated_at",
        ),
        holders,
    )
    run.copy(
        Representative,
        (
            "id",
            "user",
            "budget_holder",
            "kind",
            "relationship",
            "agreed_on",
            "created_at",
            "updated_at",
        ),
        representatives,
    )


def _record_accesses(chunk: Chunk) -> None:
    """Staff opening people's records over the past year: about four views a person."""
    rng, icb, now = chunk.rng, chunk.icb, chunk.run.now
    viewers = [icb.user(p) for p in ("lead{icb}", "lead{icb}b", "coordinator{icb}")]
    viewers += [icb.user("clinician{icb}"), icb.user("finance{icb}")]
    rows = []
    for person in chunk.people:
        for _ in range(rng.randint(0, 8)):
            rows.append(
                (
                    chunk.new_id(),
                    now - datetime.timedelta(minutes=rng.randint(1, 525_600)),
                    rng.choice(viewers),
                    person.id,
                    AccessOutcome.VIEWED,
                    rng.choice(ACCESS_WHAT),
                    f"/people/{person.id}/",
                )
            )
    chunk.copy(
        RecordAccess, ("id", "at", "user", "budget_holder_id", "outcome", "what", "path"), rows
    )


def write_icb(run: Run, icb: BenchIcb, chunk_people: int, progress=None) -> int:
    """Write one ICB's people, chunk by chunk, each chunk in its own transaction."""
    # Each ICB has its own block of NHS numbers (at most 11 candidates in 10 fail the check
    # digit, so 2 per person is plenty), so ICBs can be written in any order, or at once.
    before = sum(other.size for other in run.icbs[: icb.index])
    nhs = iter(nhs_numbers(FIRST_NHS_NUMBER + 20 * before))
    parts = dataset_parts()
    for chunk_number, first in enumerate(range(0, icb.size, chunk_people)):
        numbers = range(first, min(first + chunk_people, icb.size))
        chunk = Chunk(run, icb, chunk_number, [], run.rng("people", icb.index, chunk_number))
        with transaction.atomic():
            _immediate_with_context(icb.user("lead{icb}"), chunk.new_id())
            _people(run, icb, numbers, chunk.rng, nhs, chunk)
            for part in parts:
                part.write(chunk)
            _record_accesses(chunk)
        if progress is not None:
            progress(len(numbers))
    return icb.size


def generate(
    *,
    people: int,
    seed: int = 1,
    icbs: int = ICB_COUNT,
    chunk_people: int = CHUNK_PEOPLE,
    workers: int = 1,
    progress=None,
) -> Run:
    """Write the dataset. Refuses (AlreadyGenerated, nothing written) if one is there.

    With several `workers`, ICBs are written at once by new worker processes, largest first;
    the data is the same for a seed and chunk size whatever the number of workers. They are
    spawned, not forked: a fork copies the caller's threads' locks as they happen to be (a test
    process has a live server, a Celery worker and xdist's threads), and can hang for ever."""
    if people < 1 or icbs < 1:
        raise ValueError("Generate at least one person in at least one ICB")
    if already_generated():
        raise AlreadyGenerated(
            "This database already holds a generated dataset (it has the ICB "
            f"{ODS_PREFIX}00 or the user {bench_email('lead{icb}', 0)}). Nothing was changed: "
            "generate into an empty database instead."
        )
    icbs = min(icbs, people)
    run = Run(
        people=people,
        seed=seed,
        icb_count=icbs,
        today=timezone.localdate(),
        now=timezone.now().replace(microsecond=0),
        writer=Writer(),
        password_hash=make_password(PASSWORD, salt="bench"),
    )
    started = time.monotonic()
    done = [0]

    def chunk_done(count: int) -> None:
        done[0] += count
        if progress is not None:
            progress(done[0], time.monotonic() - started)

    _setup(run)
    if workers <= 1:
        for icb in run.icbs:
            write_icb(run, icb, chunk_people, chunk_done)
        return run
    context = multiprocessing.get_context("spawn")
    pickled_run = pickle.dumps(replace(run, writer=Writer()))
    database = dict(connection.settings_dict)
    with ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=dataset_workers.start,
        initargs=(pickled_run, database),
    ) as pool:
        futures = [
            pool.submit(dataset_workers.write_icb, icb.index, chunk_people) for icb in run.icbs
        ]
        for future in as_completed(futures):
            counts, seconds, written = future.result()
            run.writer.counts.update(counts)
            run.writer.seconds.update(seconds)
            chunk_done(written)
    return run


def vacuum_analyze() -> None:
    """Flush GIN pending lists and refresh the planner's statistics (outside a transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
