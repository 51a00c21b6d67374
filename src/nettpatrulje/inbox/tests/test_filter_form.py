"""The inbox filter form draws its fields without Django's widget templates
(inbox/forms.py); the HTML must be byte for byte what the templates make."""

from __future__ import annotations

import pytest
from django import forms
from django.http import QueryDict
from django.utils import translation

from nettpatrulje.inbox.forms import FilterForm
from nettpatrulje.inbox.models import Label
from nettpatrulje.testing.factories import ChannelFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def choices(channel, agency, officer):
    ChannelFactory(agency=agency, platform="instagram", name='<b>"Kripos" & co</b>')
    UserFactory(username="kari", agency=agency, first_name="Kari <i>", last_name="O'Hara")
    Label.objects.create(agency=agency, name="skole")
    Label.objects.create(agency=agency, name='<script>"x"</script>')
    return {
        "channels": agency.channels.order_by("pk"),
        "labels": Label.objects.filter(agency=agency).order_by("name"),
        "colleagues": officer.__class__.objects.filter(agency=agency).order_by("username"),
    }


def _django_html(form: FilterForm) -> list[str]:
    """Each field as Django's own widgets draw it."""
    drawn = []
    for bound in form:
        field = bound.field
        widget = (
            forms.Select(choices=field.choices)
            if isinstance(field, forms.ChoiceField)
            else forms.TextInput(attrs=field.widget.attrs)
        )
        drawn.append(bound.as_widget(widget=widget))
    return drawn


@pytest.mark.parametrize(
    "query",
    [
        "",
        "status=",
        "status=closed&q=svindel",
        "status=pending&channel={channel}&assignee=me&label={label}",
        "assignee={user}&q=%3Cb%3E%22x%22+%26",
        "status=bogus&channel=999999&label=x&assignee=nobody",
        "q=" + "x" * 300,
        "status=open&status=closed",
    ],
)
@pytest.mark.parametrize("language", ["en", "nb", "is"])
def test_fields_as_django_draws_them(choices, officer, query, language):
    query = query.format(
        channel=choices["channels"][1].pk,
        label=choices["labels"][0].pk,
        user=choices["colleagues"][0].pk,
    )
    with translation.override(language):
        data = QueryDict(query) if query else None
        form = FilterForm(data, initial={"status": "open"}, **choices)
        form.is_valid()
        ours = [str(bound) for bound in form]
        assert ours == _django_html(form)
