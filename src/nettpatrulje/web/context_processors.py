from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from nettpatrulje.channels.models import Channel


def shell(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    # Said on every page, so nobody mistakes a demo set-up for a secured one.
    context: dict = {"two_factor_off": not settings.REQUIRE_2FA}
    if user is None or not user.is_authenticated or user.agency_id is None:
        return context
    context["agency"] = user.agency
    if user.has_perm("channels.view_channel"):
        context["channels_needing_reconnect"] = list(
            Channel.objects.visible_to(user).filter(needs_reconnect=True)
        )
    return context
