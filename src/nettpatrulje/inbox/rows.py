"""The inbox list's rows, ready to print.

The list is redrawn every two seconds for every officer watching it. Model
instances for each row and its contact, channel and assignee, and a choice
label looked up per row (Django rebuilds the choices' mapping on every
`get_FOO_display`, translating each label again), cost more than the database
does; so the rows are read as plain values and each label is translated once
per request. Each row is then written out as HTML here (ROW): the template
engine resolved and escaped some twenty values per row, a fifth of the
page's CPU, for markup that is the same every time.
"""

from __future__ import annotations

import html
import uuid

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext

from nettpatrulje.channels.models import Platform
from nettpatrulje.inbox.models import Conversation, Priority
from nettpatrulje.lib.text import make_inert
from nettpatrulje.triage.labels import CATEGORY_LABELS, LANGUAGE_LABELS, RISK_LEVEL_LABELS, label
from nettpatrulje.web.templatetags.since import TIME_STRINGS

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
# One row of the list as inbox/_rows.html drew it with the template engine
# (tests/test_rows.py compares the two); every value is escaped (`_e`).
ROW = (
    '<tr class="prio-{priority}" data-href="{href}">\n'
    '    <td><span class="badge prio-{priority}">{priority_label}</span></td>\n'
    '    <td><a href="{href}">{contact}</a><br><small class="muted">{platform} · {status}</small>'
    "</td>\n"
    "    <td>{triage}</td>\n"
    "    <td>{waiting}</td>\n"
    "    <td>{assignee}</td>\n"
    "    <td>{labels}</td>\n"
    "  </tr>"
)


def _e(value) -> str:
    """As the template engine prints a string: escaped unless marked safe."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


class _Labels(dict):
    """Translated labels of one kind, each translated when first asked for."""

    def __init__(self, lookup):
        super().__init__()
        self.lookup = lookup

    def __missing__(self, value):
        self[value] = text = self.lookup(value)
        return text


class _Unit:
    """One of the `since` filter's units, translated once per number."""

    def __init__(self, lazy):
        self.lazy, self.done = lazy, {}

    def __mod__(self, values: dict) -> str:
        text = self.done.get(values["num"])
        if text is None:
            text = self.done[values["num"]] = self.lazy % values
        return text


def _since(value, now, units: dict) -> str:
    # As the `since` filter, with its units translated once per request.
    try:
        return timesince(value, now, time_strings=units)
    except (ValueError, TypeError):
        return ""


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
    units = {name: _Unit(text) for name, text in TIME_STRINGS.items()}
    # As {% translate %} prints a literal: not escaped.
    grooming_risk = gettext("Grooming risk").replace("%%", "%")
    answered = f'<span class="muted">{gettext("answered").replace("%%", "%")}</span>'
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
            waiting_for=_since(waiting, now, units) if waiting else "",
            assignee=assignee or "—",
            labels=names.get(row["pk"], ()),
        )
        row["html"] = _row_html(row, grooming_risk, answered)
    return rows


def _row_html(row: dict, grooming_risk: str, answered: str) -> str:
    triage = ""
    if row["category"]:
        triage = f'<span class="tag">{_e(row["category_label"])}</span>'
    if row["language"]:
        triage += f' <span class="tag lang">{_e(row["language_label"])}</span>'
    if row["risk_level"]:
        triage += (
            f' <span class="badge risk-{_e(row["risk_level"])}">'
            f"{grooming_risk}: {_e(row['risk_label'])}</span>"
        )
    waiting = answered
    if row["waiting_since"]:
        waiting = f'<time datetime="{_e(row["waiting_iso"])}">{_e(row["waiting_for"])}</time>'
    href = _e(row["href"])
    # Every value is escaped.
    return mark_safe(
        ROW.format(
            priority=_e(row["priority"]),
            href=href,
            priority_label=_e(row["priority_label"]),
            contact=_e(row["contact"]),
            platform=_e(row["platform"]),
            status=_e(row["status_label"]),
            triage=triage,
            waiting=waiting,
            assignee=_e(row["assignee"]),
            labels="".join(f'<span class="label">{_e(name)}</span>' for name in row["labels"]),
        )
    )


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
