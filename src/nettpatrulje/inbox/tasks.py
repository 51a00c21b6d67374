from __future__ import annotations

from django_tasks import task

from nettpatrulje.inbox.services import outbox_send


@task()
def send_outbox_item(outbox_id: str) -> str:
    return outbox_send(outbox_id)
