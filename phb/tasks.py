from celery import shared_task


@shared_task
def heartbeat() -> str:
    """Scheduled by beat so that a running beat shows up in the worker's log."""
    return "ok"
