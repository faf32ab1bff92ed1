# The front door. `make run` and `make test` work from a fresh clone: they
# install what is missing, start the embedded PostgreSQL and Redis unless
# DATABASE_URL / REDIS_URL are set, and stop what they started.

PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
PORT ?= 8000
export PORT

.PHONY: run test deps lint manage clean-local benchmark

run: deps
	$(VENV)/bin/python scripts/stack.py run

# The whole suite runs on two pytest-xdist workers (the browser journeys together on one of
# them, in order: see tests/browser/conftest.py), measures line coverage of the apps (settings
# in pyproject.toml), lists the lines no test runs and fails under 95%. A run of chosen tests
# (`make test PYTEST_ARGS=...`) does neither: a few files cannot cover everything, and a second
# worker would only add the set-up of a second test database.
COVERAGE = $(if $(PYTEST_ARGS),,-n 2 --dist loadgroup --cov --cov-report=term-missing:skip-covered --cov-fail-under=95)

test: deps
	$(VENV)/bin/python scripts/stack.py test $(COVERAGE) $(PYTEST_ARGS)

# Issue 12: each key page against the floor page on a national-scale dataset (its own database,
# phb_benchmark, generated once and reused), then the 200-user load test; the tables go to
# benchmarks/results/latest.md. `BENCHMARK_PEOPLE=20000 make benchmark` for a quick run;
# BENCHMARK_ARGS="--no-load" skips the load test. Then the pytest benchmarks (benchmarks/test_*).
# It fails if a page is not within 3x the floor (after running everything).
BENCHMARK_PEOPLE ?= 250000
benchmark: deps
	$(VENV)/bin/python scripts/stack.py exec $(VENV)/bin/python -m benchmarks.run \
		--people $(BENCHMARK_PEOPLE) $(BENCHMARK_ARGS); pages=$$?; \
	$(VENV)/bin/python scripts/stack.py test --benchmark-enable --benchmark-only --no-cov \
		benchmarks $(PYTEST_ARGS) && exit $$pages

# Any manage.py command with the engines up, e.g. `make manage ARGS=makemigrations`.
manage: deps
	$(VENV)/bin/python scripts/stack.py exec $(VENV)/bin/python manage.py $(ARGS)

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

deps: $(VENV)/.synced node_modules/.installed

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Stop nothing, delete the embedded database and Redis data of this checkout.
clean-local:
	rm -rf .local
