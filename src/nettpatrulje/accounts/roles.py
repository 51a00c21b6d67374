"""Roles are Django groups; their permissions are declared here and synced
after every migrate, so a fresh database and an old one end up identical."""

from __future__ import annotations

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission

from nettpatrulje.accounts.models import Role

# app_label.codename
ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.OFFICER: {
        "inbox.view_conversation",
        "inbox.reply_conversation",
        "inbox.change_conversation",
        "inbox.add_note",
    },
    Role.SUPERVISOR: {
        "inbox.view_conversation",
        "inbox.reply_conversation",
        "inbox.change_conversation",
        "inbox.add_note",
        "inbox.assign_others",
        "channels.view_channel",
        "triage.acknowledge_alert",
        "audit.view_access_log",
        "audit.export_evidence",
    },
    Role.MENTOR: {"inbox.view_conversation", "inbox.add_note"},
    Role.COORDINATOR: {"inbox.view_conversation"},
    Role.ANALYST: {"inbox.view_conversation"},
    Role.ADMIN: {
        "inbox.view_conversation",
        "channels.view_channel",
        "channels.change_channel",
        "channels.view_webhookevent",
        "accounts.change_user",
        "triage.acknowledge_alert",
        "audit.view_trail",
        "audit.view_access_log",
        "audit.export_evidence",
        "audit.manage_retention",
    },
}

# Patrols and the methods library: everyone reads operations and articles;
# officers log sessions and refer cases, mentors answer guidance, coordinators plan.
_PATROL_PERMISSIONS: dict[str, set[str]] = {
    Role.OFFICER: {"patrols.add_patrolsession", "patrols.refer_case"},
    Role.SUPERVISOR: {"patrols.add_patrolsession", "patrols.refer_case", "library.change_article"},
    Role.MENTOR: {"patrols.answer_guidance", "library.add_article", "library.change_article"},
    Role.COORDINATOR: {"patrols.manage_operation", "library.add_article", "library.change_article"},
}
for _role, _perms in ROLE_PERMISSIONS.items():
    _perms |= {"patrols.view_operation", "library.view_article"}
    _perms |= _PATROL_PERMISSIONS.get(_role, set())

# Reports: analysts, supervisors and coordinators see dashboards and export;
# supervisors may export unredacted text; officers pick notable examples.
_REPORT_PERMISSIONS: dict[str, set[str]] = {
    Role.ANALYST: {"reports.view_reports", "reports.export_reports"},
    Role.COORDINATOR: {"reports.view_reports", "reports.export_reports"},
    Role.SUPERVISOR: {
        "reports.view_reports",
        "reports.export_reports",
        "reports.export_full_text",
        "reports.add_notableexample",
    },
    Role.OFFICER: {"reports.add_notableexample"},
}
for _role, _perms in _REPORT_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] |= _perms


def sync_roles(**kwargs) -> None:
    if not global_apps.is_installed("nettpatrulje.inbox"):
        return
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = []
        for dotted in sorted(perms):
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)
