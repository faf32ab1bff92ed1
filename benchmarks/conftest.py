"""The benchmarks use the test suite's fixtures (ICBs, staff with a second factor and so on).

They live outside tests/ so that `make test` never collects them (their set-up alone, 10,000
people, takes longer than most test files); `make benchmark` runs them, timed.
"""

from tests.conftest import *  # noqa: F403
