"""The inbox list's rows, ready to print.

The list is redrawn every two seconds for every officer watching it. Model
instances for each row and its contact, channel and assignee, and a choice
label looked up per row (Django rebuilds the choices' mapping on every
`get_FOO_display`, translating each label again), cost more than the database
does; so the rows are read as plain values and each label is translated once
per request.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from nettpatrulje.channels.models import Platform
from nettpatrulje.inbox.models import Conversation, Priority
from nettpatrulje.lib.text import make_inert
from nettpatrulje.triage.labels import CATEGORY_LABELS, LANGUAGE_LABELS, RISK_LEVEL_LABELS, label
from nettpatrulje.web.templatetags.since import since

FIELDS = (
    "pk",
    "priority",
    "status",
    "category",
    "language",
    "risk_level",
    "waiting_since",
    "contact__display_name",
    "contact__platform_id",
    "contact__channel__platform",
    "channel__platform",
    "assignee_id",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)
_PLACEHOLDER = uuid.UUID(int=0)


class _Labels(dict):
    """Translated labels of one kind, each translated when first asked for."""

    def __init__(self, lookup):
        super().__init__()
        self.lookup = lookup

    def __missing__(self, value):
        self[value] = text = self.lookup(value)
        return text


def _choices(choices) -> _Labels:
    # As get_FOO_display: the label, or the value itself where it has none.
    mapping = dict(choices)
    return _Labels(lambda value: str(mapping.get(value, value)))


def conversation_rows(conversations: QuerySet[Conversation], limit: int) -> list[dict]:
    """The first `limit` of `conversations` (in their order) as the list
    template's rows."""
    rows = list(conversations.prefetch_related(None).values(*FIELDS)[:limit])
    if not rows:
        return rows
    url = reverse("inbox:conversation", args=[_PLACEHOLDER])
    before, _, after = url.partition(str(_PLACEHOLDER))
    priorities = _choices(Priority.choices)
    statuses = _choices(Conversation.Status.choices)
    platforms = _choices(Platform.choices)
    categories = _Labels(lambda v: label(CATEGORY_LABELS, v))
    languages = _Labels(lambda v: label(LANGUAGE_LABELS, v))
    risks = _Labels(lambda v: label(RISK_LEVEL_LABELS, v))
    names = _labels_of([row["pk"] for row in rows])
    now = timezone.now()
    for row in rows:
        waiting = row["waiting_since"]
        # The contact as Contact.__str__ names it.
        contact = make_inert(row["contact__display_name"])
        if not contact:
            platform = platforms[row["contact__channel__platform"]]
            contact = f"{platform} …{row['contact__platform_id'][-6:]}"
        assignee = ""
        if row["assignee_id"] is not None:
            full = f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
            assignee = full or row["assignee__username"]
        row.update(
            href=f"{before}{row['pk']}{after}",
            priority_label=priorities[row["priority"]],
            contact=contact,
            platform=platforms[row["channel__platform"]],
            status_label=statuses[row["status"]],
            category_label=categories[row["category"]] if row["category"] else "",
            language_label=languages[row["language"]] if row["language"] else "",
            risk_label=risks[row["risk_level"]] if row["risk_level"] else "",
            # As the `date:"c"` and `since` filters print it.
            waiting_iso=timezone.localtime(waiting).isoformat() if waiting else "",
            waiting_for=since(waiting, now) if waiting else "",
            assignee=assignee or "—",
            labels=names.get(row["pk"], ()),
        )
    return rows


def _labels_of(ids: list) -> dict:
    through = Conversation.labels.through
    names: dict = {}
    for conversation_id, name in (
        through.objects.filter(conversation_id__in=ids)
        .order_by("label__name")
        .values_list("conversation_id", "label__name")
    ):
        names.setdefault(conversation_id, []).append(name)
    return names
