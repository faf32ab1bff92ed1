# syntax=docker/dockerfile:1
# Production image: NHS.UK frontend from npm, Python runtime with gunicorn + WhiteNoise.

FROM node:20-bookworm-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=phb.settings.production
# WeasyPrint (PDFs, on the pdf queue) needs Pango; fonts for readable documents.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --uid 10001 phb
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
COPY --from=frontend /build/node_modules ./node_modules
# collectstatic needs settings to import; these build-time values are never used at run time.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost DATABASE_URL=postgres://build@localhost/build \
    REDIS_URL=redis://localhost:6379/0 python manage.py collectstatic --no-input \
    && chown -R phb /app
USER phb
EXPOSE 8000
# Sync workers, 2 x cores + 1 for the 2-core machine (ADR 0028).
CMD ["gunicorn", "phb.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-class", "sync", "--workers", "5", "--preload", "--access-logfile", "-"]
