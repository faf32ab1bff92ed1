"""Settings for the test suite: the same engines as production."""

import os
from urllib.parse import urlsplit

os.environ.setdefault("SECRET_KEY", "test-only-not-a-secret")

from phb.settings.base import *  # noqa: F403

# The test run shares the embedded Redis with a running `make run`; its own
# database number keeps its cache, broker and worker pings apart.
# Runs side by side (two checkouts, or CI beside a developer) can name their own
# database and Redis number.
REDIS_URL = urlsplit(REDIS_URL)._replace(  # noqa: F405
    path="/" + os.environ.get("PHB_TEST_REDIS_DB", "9")
).geturl()
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("PHB_TEST_DB_NAME", "test_phb")}  # noqa: F405
CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
CELERY_BROKER_URL = CELERY_RESULT_BACKEND = REDIS_URL

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PHB_DEMO_MODE = False

# Static files come straight from the finders (node_modules and static/); no collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
