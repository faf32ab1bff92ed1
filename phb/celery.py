import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phb.settings.local")

app = Celery("phb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_routes = {"*.render_pdf*": {"queue": "pdf"}}
app.autodiscover_tasks()
