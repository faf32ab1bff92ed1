from celery import shared_task

from phb.notifications import services as notifications


@shared_task
def heartbeat() -> str:
    """Scheduled by beat so that a running beat shows up in the worker's log."""
    return "ok"


@shared_task(bind=True, max_retries=notifications.MAX_ATTEMPTS - 1)
def send_message(self, message_id: str) -> str:
    """Send one recorded message; a failure that may mend is tried again later, with backoff."""
    message = notifications.deliver(message_id=message_id)
    if notifications.may_retry(message):
        raise self.retry(countdown=notifications.retry_countdown(self.request.retries))
    return message.status if message is not None else "not this task's to send"


@shared_task
def sweep_messages() -> int:
    """Queue again the committed messages whose sending task never ran."""
    return notifications.sweep()


@shared_task
def check_message_deliveries() -> int:
    """Read back from GOV.UK Notify whether the messages it took were delivered."""
    return notifications.check_deliveries()
