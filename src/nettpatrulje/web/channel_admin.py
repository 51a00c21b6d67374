"""Channel administration for an agency's admins: add, edit, disable, and see health.

Secrets are write-only here: the form never shows a stored secret, and an
empty secret field keeps the stored value."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nettpatrulje.accounts.decorators import agency_member_required, permission
from nettpatrulje.accounts.scoping import get_visible_or_404
from nettpatrulje.audit.services import audit_log
from nettpatrulje.channels.models import Channel, Platform
from nettpatrulje.lib.http import client_ip

# What each platform needs: (name, label, is list). Config is visible, secrets are not.
PLATFORM_FIELDS: dict[str, dict[str, list[tuple[str, str, bool]]]] = {
    Platform.MESSENGER: {
        "config": [],
        "secrets": [("access_token", gettext_lazy("Page access token"), False)],
    },
    Platform.INSTAGRAM: {
        "config": [],
        "secrets": [("access_token", gettext_lazy("Page access token"), False)],
    },
    Platform.DISCORD: {
        "config": [
            ("public_key", gettext_lazy("Application public key"), False),
            ("guild_id", gettext_lazy("Server (guild) id"), False),
            ("watched_channel_ids", gettext_lazy("Watched channel ids, comma-separated"), True),
        ],
        "secrets": [("bot_token", gettext_lazy("Bot token"), False)],
    },
    Platform.TWITCH: {
        "config": [("client_id", gettext_lazy("Client id"), False)],
        "secrets": [
            ("eventsub_secret", gettext_lazy("EventSub secret"), False),
            ("access_token", gettext_lazy("User access token"), False),
        ],
    },
    Platform.WIDGET: {
        "config": [("origins", gettext_lazy("Allowed website origins, comma-separated"), True)],
        "secrets": [],
    },
}


class ChannelForm(forms.Form):
    platform = forms.ChoiceField(label=gettext_lazy("Platform"), choices=Platform.choices)
    account_id = forms.CharField(label=gettext_lazy("Account id"), max_length=64)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)

    def __init__(self, *args, platform: str, channel: Channel | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.platform = platform
        self.channel = channel
        if channel is not None:
            self.fields["platform"].disabled = True
        for key, label, is_list in PLATFORM_FIELDS[platform]["config"]:
            initial = channel.config.get(key, "") if channel else ""
            if is_list and isinstance(initial, list):
                initial = ", ".join(initial)
            self.fields[f"config_{key}"] = forms.CharField(
                label=label, required=False, initial=initial
            )
        for key, label, _is_list in PLATFORM_FIELDS[platform]["secrets"]:
            stored = bool(channel and channel.secret(key))
            help_text = _("Stored. Leave empty to keep it.") if stored else ""
            self.fields[f"secret_{key}"] = forms.CharField(
                label=label,
                required=False,
                help_text=help_text,
                widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
            )

    def clean_account_id(self) -> str:
        account_id = self.cleaned_data["account_id"].strip()
        clash = Channel.objects.filter(platform=self.platform, account_id=account_id)
        if self.channel is not None:
            clash = clash.exclude(pk=self.channel.pk)
        if clash.exists():
            raise forms.ValidationError(_("This account is already connected."))
        return account_id

    def config(self) -> dict:
        result = {}
        for key, _label, is_list in PLATFORM_FIELDS[self.platform]["config"]:
            value = self.cleaned_data.get(f"config_{key}", "").strip()
            result[key] = [v.strip() for v in value.split(",") if v.strip()] if is_list else value
        return result

    def secrets(self) -> dict:
        return {
            key: self.cleaned_data[f"secret_{key}"]
            for key, _label, _is_list in PLATFORM_FIELDS[self.platform]["secrets"]
            if self.cleaned_data.get(f"secret_{key}")
        }


@transaction.atomic
def channel_save(*, form: ChannelForm, agency, actor, ip: str | None) -> Channel:
    channel = form.channel or Channel(agency=agency, platform=form.platform)
    channel.account_id = form.cleaned_data["account_id"]
    channel.name = form.cleaned_data["name"] or channel.account_id
    channel.config = {**channel.config, **form.config()}
    new_secrets = form.secrets()
    if new_secrets:
        channel.secrets = {**channel.secrets, **new_secrets}
        channel.needs_reconnect = False
    channel.save()
    audit_log(
        action="channel.save",
        actor=actor,
        obj=channel,
        ip=ip,
        # Names of changed secrets only, never their values.
        detail={
            "platform": channel.platform,
            "account_id": channel.account_id,
            "secrets_changed": sorted(new_secrets),
        },
    )
    return channel


def _health(user) -> list[Channel]:
    return list(
        Channel.objects.visible_to(user).annotate(
            outbox_queued=Count("outbox", filter=Q(outbox__state="queued")),
            outbox_failed=Count("outbox", filter=Q(outbox__state__in=["failed", "check"])),
        )
    )


@agency_member_required
@permission("channels.view_channel")
def channel_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/channels.html",
        {"channels": _health(request.user), "platforms": Platform.choices},
    )


@agency_member_required
@permission("channels.change_channel")
def channel_edit(request: HttpRequest, channel_id: int | None = None) -> HttpResponse:
    channel = get_visible_or_404(Channel, request.user, pk=channel_id) if channel_id else None
    platform = (
        channel.platform if channel else request.GET.get("platform") or request.POST.get("platform")
    )
    if platform not in PLATFORM_FIELDS:
        return redirect("channels")
    initial = {"platform": platform}
    if channel:
        initial.update(account_id=channel.account_id, name=channel.name)
    form = ChannelForm(request.POST or None, initial=initial, platform=platform, channel=channel)
    if request.method == "POST" and form.is_valid():
        channel_save(
            form=form, agency=request.user.agency, actor=request.user, ip=client_ip(request)
        )
        messages.success(request, _("Channel saved."))
        return redirect("channels")
    return render(
        request, "web/channel_form.html", {"form": form, "channel": channel, "platform": platform}
    )


@require_POST
@agency_member_required
@permission("channels.change_channel")
def channel_toggle(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = get_visible_or_404(Channel, request.user, pk=channel_id)
    enabled = channel.status != Channel.Status.ACTIVE
    with transaction.atomic():
        Channel.objects.filter(pk=channel.pk).update(
            status=Channel.Status.ACTIVE if enabled else Channel.Status.DISABLED
        )
        audit_log(
            action="channel.enable" if enabled else "channel.disable",
            actor=request.user,
            obj=channel,
            ip=client_ip(request),
        )
    return redirect("channels")
