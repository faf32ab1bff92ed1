"""Generate a national-scale dataset for benchmarks (ADR 0027): `generate_dataset --people N`."""

import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from phb import dataset


class Command(BaseCommand):
    help = (
        "Generate a realistic national-scale dataset (ICBs, staff, people, budgets, payments and "
        "audit history) into an empty database, with every trigger on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, required=True, help="How many people.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed, the same data.")
        parser.add_argument(
            "--icbs", type=int, default=dataset.ICB_COUNT, help="How many ICBs (42 in England)."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            help="Processes writing ICBs at once (the data is the same for any number).",
        )
        parser.add_argument(
            "--chunk",
            type=int,
            default=dataset.CHUNK_PEOPLE,
            help="People written in each transaction.",
        )

    def handle(self, *args, people, seed, icbs, workers, chunk, **options):
        started = time.monotonic()
        last = [0.0]

        def progress(done, elapsed):
            if elapsed - last[0] >= 5 or done == people:
                last[0] = elapsed
                self.stdout.write(
                    f"  {done:,} of {people:,} people, {elapsed:,.0f} s, "
                    f"{done / max(elapsed, 0.001):,.0f} people a second",
                )

        try:
            run = dataset.generate(
                people=people,
                seed=seed,
                icbs=icbs,
                chunk_people=chunk,
                workers=workers,
                progress=progress,
            )
        except (dataset.AlreadyGenerated, ValueError) as error:
            raise CommandError(str(error)) from error
        written = time.monotonic() - started
        self.stdout.write("VACUUM ANALYZE ...")
        dataset.vacuum_analyze()
        total = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Generated {people:,} people in {total:,.1f} s"))
        self.stdout.write(
            f"  writing {written:,.1f} s ({people / max(written, 0.001):,.0f} people a second), "
            f"VACUUM ANALYZE {total - written:,.1f} s"
        )
        self.stdout.write(
            "Rows written, and the seconds spent writing them (triggers included; the audit "
            "events are written by the triggers):"
        )
        for label, count in sorted(run.writer.counts.items()):
            seconds = run.writer.seconds[label]
            self.stdout.write(f"  {label:<34} {count:>12,} {seconds:>8.1f} s")
        events = self._audit_rows()
        self.stdout.write(f"  {'audit events (all *event tables)':<34} {events:>12,}")
        self.stdout.write(self.style.SUCCESS(f"Every password: {dataset.PASSWORD}"))
        largest = run.icbs[0]
        self.stdout.write(
            f"  Staff of ICB n (0 is the largest, {largest.size:,} people): "
            + ", ".join(dataset.bench_email(pattern, 0) for pattern, _, _ in dataset.STAFF)
            + " (n for 0)"
        )
        self.stdout.write(
            f"  Budget holders: {dataset.holder_email(0, 0)} to "
            f"{dataset.holder_email(0, dataset.HOLDERS_WITH_SIGN_IN - 1)} (and so on for each ICB)"
        )

    @staticmethod
    def _audit_rows() -> int:
        """Rows in every pghistory event table."""
        import pghistory.models

        tables = [
            model._meta.db_table
            for model in apps.get_models()
            if issubclass(model, pghistory.models.Event)
        ]
        with connection.cursor() as cursor:
            total = 0
            for table in tables:
                table = connection.ops.quote_name(table)  # names of our own models
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
                total += cursor.fetchone()[0]
        return total
