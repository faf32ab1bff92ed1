"""Staff at work, for locust (issue 12, part 4); started by benchmarks/load.py, never alone.

Each simulated member of staff takes one of the signed-in sessions prepared by load.py (its
session cookie and the key pages of its ICB, from the JSON file named by BENCHMARK_SESSIONS)
and fetches one of those pages every BENCHMARK_WAIT seconds ("5,15" for human pace, "0,0" for
the saturation run). Anything but a 200 is a failure.
"""

import itertools
import json
import os
import random

from locust import HttpUser, between, constant, task

with open(os.environ["BENCHMARK_SESSIONS"]) as sessions_file:
    SESSIONS = json.load(sessions_file)
_next_session = itertools.cycle(SESSIONS)
_low, _high = (float(part) for part in os.environ.get("BENCHMARK_WAIT", "5,15").split(","))


class Staff(HttpUser):
    wait_time = between(_low, _high) if _high > 0 else constant(0)

    def on_start(self):
        session = next(_next_session)
        self.client.cookies.set(session["cookie_name"], session["cookie"])
        self.pages = session["pages"]

    @task
    def key_page(self):
        label, url = random.choice(self.pages)
        with self.client.get(url, name=label, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} from {url}")
