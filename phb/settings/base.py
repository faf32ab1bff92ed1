"""Settings shared by every environment.

Environment-specific modules (local, test, production) import from here and
override. Nothing here has an insecure fallback: where a value is required the
environment module decides what happens when it is missing.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from phb.settings.env import env_bool, env_required

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_required("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "rules.apps.AutodiscoverRulesConfig",
    "pgtrigger",
    "pghistory",
    "phb",
    "budgets",
    "careplans",
    "employers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "phb.middleware.ActingOrganisationMiddleware",
    "phb.middleware.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "phb.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pghistory.middleware.HistoryMiddleware",
]

ROOT_URLCONF = "phb.urls"
WSGI_APPLICATION = "phb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "phb.context_processors.service",
            ],
            "builtins": ["phb.templatetags.nhsuk"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(env_required("DATABASE_URL"), conn_max_age=60),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "phb.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # allauth's sign-in without Django's model permissions, which queried auth_permission
    # and auth_group whenever a rule said no (phb/auth_backends.py).
    "phb.auth_backends.SignInBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# allauth: accounts are created by PHB teams, never by sign-up.
ACCOUNT_ADAPTER = "phb.auth.ClosedSignupAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
# Emails say what they are about, without allauth's "[site name]" prefix.
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
# Failed sign-ins are throttled per account (the "login_failed" key is the
# account), not per IP address: many staff share one NHS network address.
ACCOUNT_RATE_LIMITS = {
    "login": False,
    "login_failed": "5/5m/key",
    "reset_password": "5/m/ip,3/m/key",
    "reset_password_from_key": "20/m/ip",
}
# allauth's forms with NHS.UK labels and error messages (phb/auth.py).
ACCOUNT_FORMS = {
    "login": "phb.auth.LoginForm",
    "reset_password": "phb.auth.ResetPasswordForm",
    "reset_password_from_key": "phb.auth.ResetPasswordKeyForm",
    "change_password": "phb.auth.ChangePasswordForm",
    "set_password": "phb.auth.SetPasswordForm",
    "reauthenticate": "phb.auth.ReauthenticateForm",
    "add_email": "phb.auth.AddEmailForm",
}
MFA_FORMS = {
    "authenticate": "phb.auth.MFAAuthenticateForm",
    "reauthenticate": "phb.auth.MFAReauthenticateForm",
    "activate_totp": "phb.auth.ActivateTOTPForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Personal health budgets"
MFA_ADAPTER = "phb.auth.PlainWordsMFAAdapter"

CRISPY_ALLOWED_TEMPLATE_PACKS = ["nhsuk"]
CRISPY_TEMPLATE_PACK = "nhsuk"
CRISPY_FAIL_SILENTLY = False

REDIS_URL = env_required("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "phb",
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE: dict = {
    "heartbeat": {"task": "phb.tasks.heartbeat", "schedule": 300.0},
}

# -- Notifications and review reminders (ADR 0031) ----------------------------------------
# Every day at 7am, London time (CELERY_TIMEZONE): reminders of reviews coming due, due and
# overdue. Every 5 minutes: messages whose sending task was lost are queued again. Every 10:
# whether GOV.UK Notify delivered what it took.
CELERY_BEAT_SCHEDULE |= {
    "review-reminders": {
        "task": "careplans.tasks.send_review_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "sweep-messages": {"task": "phb.tasks.sweep_messages", "schedule": 300.0},
    # Just after midnight: plans whose budget's stop takes effect that day are ended.
    "end-stopped-plans": {
        "task": "careplans.tasks.end_stopped_plans",
        "schedule": crontab(hour=0, minute=5),
    },
    "check-message-deliveries": {"task": "phb.tasks.check_message_deliveries", "schedule": 600.0},
}
# Every day: reminders of PA competence reviews for delegated tasks (7:10am) and of PAs'
# training expiring (7:15am), each 28 and 7 days before and on the day (issue 11).
CELERY_BEAT_SCHEDULE |= {
    "competence-review-reminders": {
        "task": "employers.tasks_delegation.send_competence_review_reminders",
        "schedule": crontab(hour=7, minute=10),
    },
    "training-reminders": {
        "task": "employers.tasks_training.send_training_reminders",
        "schedule": crontab(hour=7, minute=15),
    },
}
# GOV.UK Notify: with an API key, email and text messages go through Notify's templates (by
# id; each template shows ((subject)) and ((body)), the text template ((body))). Without one,
# email goes through EMAIL_BACKEND and text messages fail, visibly, in the outbox.
PHB_NOTIFY_API_KEY = os.environ.get("PHB_NOTIFY_API_KEY", "").strip()
PHB_NOTIFY_BASE_URL = os.environ.get(
    "PHB_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"
)
PHB_NOTIFY_EMAIL_TEMPLATE_ID = os.environ.get("PHB_NOTIFY_EMAIL_TEMPLATE_ID", "").strip()
PHB_NOTIFY_TEXT_TEMPLATE_ID = os.environ.get("PHB_NOTIFY_TEXT_TEMPLATE_ID", "").strip()
PHB_NOTIFY_TIMEOUT_SECONDS = float(os.environ.get("PHB_NOTIFY_TIMEOUT_SECONDS", "10"))
if PHB_NOTIFY_API_KEY and not (PHB_NOTIFY_EMAIL_TEMPLATE_ID and PHB_NOTIFY_TEXT_TEMPLATE_ID):
    raise ImproperlyConfigured(
        "PHB_NOTIFY_API_KEY is set: set PHB_NOTIFY_EMAIL_TEMPLATE_ID and "
        "PHB_NOTIFY_TEXT_TEMPLATE_ID too"
    )
# The first retry of a failed send waits this long, each later one twice as long.
PHB_NOTIFICATION_RETRY_SECONDS = int(os.environ.get("PHB_NOTIFICATION_RETRY_SECONDS", "60"))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".local" / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("nhsuk", BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"),
    # The PDFs' font (Arimo, metrically compatible with Arial; SIL Open Font Licence).
    ("fonts/arimo", BASE_DIR / "node_modules" / "@fontsource" / "arimo" / "files"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".local" / "media"

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
DEFAULT_FROM_EMAIL = "phb-noreply@example.nhs.uk"

SERVICE_NAME = "Personal health budgets"
# Demo mode relaxes the second factor for seeded demo users. Only local
# settings may turn it on; production forces it off.
PHB_DEMO_MODE = env_bool("PHB_DEMO_MODE", default=False)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# An out-of-date form (opened before signing in again or changing ICB) gets a page in words.
CSRF_FAILURE_VIEW = "phb.middleware.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "phb": {"handlers": ["console"], "level": "INFO"},
        "phb.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # With DEBUG off, Django only emails a failing request's traceback to ADMINS (none
        # here): print it, so `make run` and the containers' logs show why a page failed.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

PGHISTORY_APPEND_ONLY = True
PGHISTORY_MIDDLEWARE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# Budget reductions need reasonable written notice (NHS (Direct Payments) Regulations 2013).
# The minimum is a local policy choice: verify with the ICB's PHB policy.
PHB_REDUCTION_MINIMUM_NOTICE_DAYS = int(os.environ.get("PHB_REDUCTION_MINIMUM_NOTICE_DAYS", "28"))
# Stopping a budget needs reasonable written notice too (DOMAIN.md §7): the fewest days from
# the day notice was given to the day the budget stops. Less is allowed only after a death,
# for suspected theft or fraud, or when the person asked for it to stop. Local policy: verify.
PHB_STOP_MINIMUM_NOTICE_DAYS = int(os.environ.get("PHB_STOP_MINIMUM_NOTICE_DAYS", "28"))
# How long a person has to ask for a decision to be looked at again (local policy).
PHB_RECONSIDERATION_DAYS = int(os.environ.get("PHB_RECONSIDERATION_DAYS", "28"))
# How long /healthz waits for the database, Redis and a worker before calling them down.
PHB_HEALTH_TIMEOUT_SECONDS = float(os.environ.get("PHB_HEALTH_TIMEOUT_SECONDS", "1.0"))
# The service's address, for links in emails sent outside a request (new staff accounts).
PHB_SITE_URL = os.environ.get("PHB_SITE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
# Where staff turn when an ICB's team cannot help: named when a person cannot be added
# because another ICB already holds their record (which one is never said).
PHB_SERVICE_DESK_EMAIL = os.environ.get("PHB_SERVICE_DESK_EMAIL", "").strip()
