"""Settings for the test suite: the same engines as production."""

import os
from urllib.parse import urlsplit

os.environ.setdefault("SECRET_KEY", "test-only-not-a-secret")

from phb.settings.base import *  # noqa: F403

# The test run shares the embedded engines with a running `make run`; its own database and
# Redis number keep its data, cache, broker and worker pings apart. Two test runs side by side
# can name their own with PHB_TEST_DB_NAME and PHB_TEST_REDIS_DB.
# Under pytest-xdist each worker (gw0, gw1, ...) has its own Redis number after that one, as
# pytest-django gives it its own database, so one worker's Celery worker never takes another's
# tasks.
REDIS_DB = int(os.environ.get("PHB_TEST_REDIS_DB", "9"))
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if XDIST_WORKER.startswith("gw"):
    REDIS_DB += 1 + int(XDIST_WORKER.removeprefix("gw"))
REDIS_URL = urlsplit(REDIS_URL)._replace(path=f"/{REDIS_DB}").geturl()  # noqa: F405
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("PHB_TEST_DB_NAME", "test_phb")}  # noqa: F405
CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
CELERY_BROKER_URL = CELERY_RESULT_BACKEND = REDIS_URL

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PHB_DEMO_MODE = False
# A worker in the tests answers in milliseconds; waiting a whole second for none is waste.
PHB_HEALTH_TIMEOUT_SECONDS = 0.25

# Static files come straight from the finders (node_modules and static/); no collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
