from celery import shared_task

from phb.documents import services


# Routed to the `pdf` queue by its name (phb/celery.py); the time limits stop a runaway render
# (the soft one ends it as failed with a message, the hard one kills the worker process).
# Its outcome is the GeneratedDocument row, so no result is kept in Redis.
@shared_task(
    name="phb.documents.tasks.render_pdf", soft_time_limit=60, time_limit=90, ignore_result=True
)
def render_pdf(document_id: str) -> str | None:
    document = services.render_document(document_id=document_id)
    return document.status if document else None
