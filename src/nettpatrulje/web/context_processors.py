from __future__ import annotations

from django.http import HttpRequest

from nettpatrulje.channels.models import Channel


def shell(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.agency_id is None:
        return {}
    context = {"agency": user.agency}
    if user.has_perm("channels.view_channel"):
        context["channels_needing_reconnect"] = list(
            Channel.objects.visible_to(user).filter(needs_reconnect=True)
        )
    return context
