"""Settings for `make run` on a developer's machine.

The run script sets DATABASE_URL and REDIS_URL to the embedded engines it
started. A per-checkout secret key is generated into .local/ (never committed).
"""

import os
import secrets
from pathlib import Path

_secret_file = Path(__file__).resolve().parent.parent.parent / ".local" / "secret_key"
if not os.environ.get("SECRET_KEY"):
    _secret_file.parent.mkdir(parents=True, exist_ok=True)
    if not _secret_file.exists():
        _secret_file.write_text(secrets.token_urlsafe(50))
    os.environ["SECRET_KEY"] = _secret_file.read_text().strip()
os.environ.setdefault("PHB_DEMO_MODE", "true")

from phb.settings.base import *  # noqa: E402,F403
from phb.settings.env import env_bool  # noqa: E402

# Off by default, so that `make run` shows the service's own 404 and 500 pages, as people
# will see them. `DEBUG=true make run` brings back Django's debug pages.
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
# Nothing leaves the machine: emails (and reminders) are printed by the process that sends
# them, and every message is in the outbox. GOV.UK Notify is off unless PHB_NOTIFY_API_KEY
# is set.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Static files come straight from the finders (node_modules and static/) through WhiteNoise,
# whatever DEBUG says (runserver serves them itself only when DEBUG is on); no collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
