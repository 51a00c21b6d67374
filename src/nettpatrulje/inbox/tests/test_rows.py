"""The list's rows are read as plain values (inbox/rows.py); they must say
exactly what the models would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone, translation

from nettpatrulje.channels.models import Platform
from nettpatrulje.inbox.models import Conversation, Label
from nettpatrulje.inbox.rows import conversation_rows
from nettpatrulje.testing.factories import ChannelFactory, ConversationFactory, UserFactory
from nettpatrulje.triage.templatetags.triage_labels import (
    category_label,
    language_label,
    risk_label,
)
from nettpatrulje.web.templatetags.since import since

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversations(channel, agency):
    instagram = ChannelFactory(agency=agency, platform=Platform.INSTAGRAM)
    named = UserFactory(username="kari", agency=agency, first_name="Kari", last_name="Holm")
    plain = UserFactory(username="per", agency=agency)
    school = Label.objects.create(agency=agency, name="skole")
    fraud = Label.objects.create(agency=agency, name="bedrageri")

    def make(ch, **kwargs):
        return ConversationFactory(
            channel=ch, agency=agency, contact__channel=ch, contact__agency=agency, **kwargs
        )

    a = make(
        channel,
        contact__display_name="Ola \u202eNordmann <b>&\"'",
        priority=0,
        category="fraud",
        language="nb",
        risk_level="high",
        assignee=named,
        waiting_since=timezone.now() - timedelta(hours=3, minutes=5),
    )
    a.labels.add(school, fraud, Label.objects.create(agency=agency, name="<i>\"x\"</i> & 'y'"))
    b = make(instagram, status="pending", category="unknown_kind", language="xx", assignee=plain)
    c = make(channel, status="closed", priority=3, waiting_since=None)
    return [a, b, c]


@pytest.mark.parametrize("language", ["en", "nb", "fi", "is"])
def test_rows_say_what_the_models_say(conversations, language):
    with translation.override(language), timezone.override("Europe/Oslo"):
        rows = conversation_rows(Conversation.objects.order_by("priority", "pk"), 10)
        expected = sorted(conversations, key=lambda c: (c.priority, c.pk))
        assert [r["pk"] for r in rows] == [c.pk for c in expected]
        for row, c in zip(rows, expected, strict=True):
            c = Conversation.objects.select_related("contact__channel", "channel", "assignee").get(
                pk=c.pk
            )
            assert row["href"] == reverse("inbox:conversation", args=[c.pk])
            assert row["priority_label"] == c.get_priority_display()
            assert row["contact"] == str(c.contact)
            assert row["platform"] == c.channel.get_platform_display()
            assert row["status_label"] == c.get_status_display()
            assert row["category_label"] == category_label(c.category)
            assert row["language_label"] == language_label(c.language)
            assert row["risk_label"] == risk_label(c.risk_level)
            assert row["waiting_iso"] == (
                date_filter(timezone.localtime(c.waiting_since), "c") if c.waiting_since else ""
            )
            assert row["waiting_for"] == since(c.waiting_since)
            assert row["assignee"] == (c.assignee.display_name if c.assignee else "—")
            assert list(row["labels"]) == [lb.name for lb in c.labels.all()]


def test_no_rows(db):
    assert conversation_rows(Conversation.objects.none(), 50) == []


# inbox/_rows.html's row as the template engine drew it before rows.py wrote it out.
TEMPLATE_ROW = """{% load i18n %}<tr class="prio-{{ c.priority }}" data-href="{{ c.href }}">
    <td><span class="badge prio-{{ c.priority }}">{{ c.priority_label }}</span></td>
    <td><a href="{{ c.href }}">{{ c.contact }}</a><br><small class="muted">{{ c.platform }} · {{ c.status_label }}</small></td>
    <td>{% if c.category %}<span class="tag">{{ c.category_label }}</span>{% endif %}{% if c.language %} <span class="tag lang">{{ c.language_label }}</span>{% endif %}{% if c.risk_level %} <span class="badge risk-{{ c.risk_level }}">{% translate "Grooming risk" %}: {{ c.risk_label }}</span>{% endif %}</td>
    <td>{% if c.waiting_since %}<time datetime="{{ c.waiting_iso }}">{{ c.waiting_for }}</time>{% else %}<span class="muted">{% translate "answered" %}</span>{% endif %}</td>
    <td>{{ c.assignee }}</td>
    <td>{% for name in c.labels %}<span class="label">{{ name }}</span>{% endfor %}</td>
  </tr>"""


@pytest.mark.parametrize("language", ["en", "nb", "fi", "is"])
def test_row_html_is_what_the_template_drew(conversations, language):
    template = Template(TEMPLATE_ROW)
    with translation.override(language), timezone.override("Europe/Oslo"):
        rows = conversation_rows(Conversation.objects.order_by("priority", "pk"), 10)
        assert len(rows) == 3
        for row in rows:
            assert row["html"] == template.render(Context({"c": row}))
