"""The demo page: a fake police website embedding the widget with one tag."""

from __future__ import annotations

import re

import pytest

from nettpatrulje.channels.models import Channel

pytestmark = pytest.mark.django_db


def test_demo_page_embeds_the_first_active_widget_channel(client, widget_channel):
    response = client.get("/widget/demo")
    assert response.status_code == 200
    html = response.content.decode()
    tags = re.findall(r"<script[^>]*>", html)
    assert tags == [
        f'<script src="/static/widget/widget.js" data-widget-key="{widget_channel.account_id}" async>'
    ]
    assert "<style" not in html and " style=" not in html  # CSP: no inline code or styles
    assert re.search(r'<html lang="en">', html)


def test_demo_page_language_follows_the_query(client, widget_channel):
    html = client.get("/widget/demo?lang=fi").content.decode()
    assert '<html lang="fi">' in html
    html = client.get("/widget/demo?lang=xx").content.decode()
    assert '<html lang="en">' in html  # the agency's language


def test_demo_page_without_channel_says_what_to_do(client, widget_channel):
    Channel.objects.filter(pk=widget_channel.pk).update(status=Channel.Status.DISABLED)
    response = client.get("/widget/demo")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script" not in html
    assert "channels add" in html


def test_widget_assets_are_served_by_the_app(client):
    for name in ("widget.js", "widget.css"):
        response = client.get(f"/static/widget/{name}")
        assert response.status_code == 200, name
