"""Settings for `make benchmark`: the product as `make run` serves it (no demo mode, so staff
pass the second-factor check as in production), on its own database, plus the floor page.

The floor view lives in benchmarks/urls.py and is reachable only under these settings; it is
never a production route.
"""

import os

os.environ["PHB_DEMO_MODE"] = "false"

from phb.settings.local import *  # noqa: F403

PHB_DEMO_MODE = False
ROOT_URLCONF = "benchmarks.urls"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
