import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phb.settings.local")

app = Celery("phb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_routes = {"*.render_pdf*": {"queue": "pdf"}}
# PDFs (phb.documents) render on the pdf queue, with time limits on the task itself. WeasyPrint
# and Pango keep caches in the process, so a worker process is replaced after 50 tasks, or
# after the task that took it past 300 MB (docker-compose.yml runs a worker for this queue alone).
app.conf.worker_max_tasks_per_child = 50
app.conf.worker_max_memory_per_child = 300_000  # KiB
app.autodiscover_tasks()
