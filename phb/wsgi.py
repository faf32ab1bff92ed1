import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phb.settings.production")

application = get_wsgi_application()

# Templates and macros compiled before the first request (and, under gunicorn --preload, once
# in the master for every worker): phb/warm.py.
from phb.warm import warm  # noqa: E402 - needs the settings configured above

warm()
