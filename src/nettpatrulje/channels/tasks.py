from __future__ import annotations

from django_tasks import task

from nettpatrulje.channels.services import webhook_event_process


@task()
def process_webhook_event(event_id: int) -> str | None:
    return webhook_event_process(event_id)
