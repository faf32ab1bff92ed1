"""A real Celery worker in its own process, for the test that kills one mid-task.

    python -m tests.killable_worker DATABASE_NAME VISIBILITY_TIMEOUT

It uses the test settings and the test run's broker, and the test database it is given (the
test run's, which pytest-django named). A task the killed worker took but never acknowledged
(`acks_late`) is handed to the next worker once VISIBILITY_TIMEOUT seconds have passed.
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phb.settings.test")

from django.conf import settings


def main() -> None:
    database, visibility_timeout = sys.argv[1], float(sys.argv[2])
    settings.DATABASES["default"]["NAME"] = database
    import django

    django.setup()
    from phb.celery import app

    app.conf.broker_transport_options = {"visibility_timeout": visibility_timeout}
    app.worker_main(
        [
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--queues=celery",
            "--without-mingle",
            "--without-gossip",
            f"--hostname=killable-{os.getpid()}@%h",
        ]
    )


if __name__ == "__main__":
    main()
