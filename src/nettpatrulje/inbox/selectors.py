"""Every read of the inbox, always starting from what the user may see."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet

from nettpatrulje.accounts.models import User
from nettpatrulje.accounts.scoping import get_visible_or_404
from nettpatrulje.inbox import search
from nettpatrulje.inbox.models import (
    CannedResponse,
    Contact,
    Conversation,
    Label,
    Message,
    Note,
)

# The inbox shows a page of rows, more on request up to LIST_LIMIT; a search
# ranks no further than that.
LIST_PAGE = 50
LIST_LIMIT = 200
# A name or handle fragment this common is no longer a search for someone.
CONTACT_MATCHES = 5000
# The queue's order: most urgent first, then whoever has waited longest;
# answered ones last.
QUEUE_ORDER = ("priority", F("waiting_since").asc(nulls_last=True), "-last_message_at")


@dataclass(frozen=True)
class InboxFilters:
    status: str = "open"
    channel: int | None = None
    assignee: str = ""  # "", "me", "none" or a user id
    label: int | None = None
    q: str = ""


def conversation_list(
    *, user: User, filters: InboxFilters, limit: int = LIST_LIMIT
) -> QuerySet[Conversation]:
    """The queue, most urgent first; with a search, the contacts whose name or
    handle matches, then the conversations whose messages do, each newest
    activity first. `limit` is how many rows the caller will show: a search,
    and the queue read by status (`_by_status`), find no more."""
    qs = (
        Conversation.objects.visible_to(user)
        .select_related("contact__channel", "channel", "assignee")
        # The rows name the contact by platform; tokens are not needed to draw them.
        .defer("channel__secrets", "contact__channel__secrets")
    )
    if filters.status in Conversation.Status.values:
        qs = qs.filter(status=filters.status)
    if filters.channel:
        qs = qs.filter(channel_id=filters.channel)
    if filters.assignee == "me":
        qs = qs.filter(assignee=user)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.label:
        qs = qs.filter(labels__id=filters.label)
    q = search.clean_query(filters.q)
    if q:
        return _search_ranked(qs, q, user=user, limit=min(limit, LIST_LIMIT)).prefetch_related(
            "labels"
        )
    if _by_status(filters):
        qs = qs.filter(search.in_subquery("id", _first_of_each_status(qs, limit=limit)))
    return qs.prefetch_related("labels").order_by(*QUEUE_ORDER)


def _by_status(filters: InboxFilters) -> bool:
    """Whether the queue over all statuses is better read one status at a
    time. A label with a channel or an assignee: the order over all statuses
    has an index of its own (agency, priority, ...) but none with the
    assignee or the channel in it, so the three filters were checked along
    it, some 18,000 conversations for a page (a label on 5 %, a colleague's
    channel); per status, the assignee's or the channel's index gives the
    order (agency, assignee, status, priority, ...) and a few thousand are
    checked (channel + me + label, 1M messages: 28 → 8-10 ms). The label
    stays a join, so that a rare label is still read from its own index
    (checked along the walk instead, a label on ten conversations cost 53
    ms). PostgreSQL only: SQLite takes no LIMIT inside a UNION."""
    return (
        filters.status not in Conversation.Status.values
        and bool(filters.label)
        and bool(filters.channel or filters.assignee)
        and connection.vendor == "postgresql"
    )


def _first_of_each_status(qs: QuerySet[Conversation], *, limit: int) -> QuerySet:
    """The ids of the first `limit` of `qs` in the queue's order within each
    status, which hold the first `limit` over all of them."""
    parts = [
        qs.filter(status=status).order_by(*QUEUE_ORDER).values("pk")[:limit]
        for status in Conversation.Status.values
    ]
    return parts[0].union(*parts[1:], all=True)


def _search_ranked(
    qs: QuerySet[Conversation], q: str, *, user: User, limit: int
) -> QuerySet[Conversation]:
    """A contact whose name or handle contains the words is what the officer
    most likely looks for, so those come first; then the conversations whose
    messages match. Each part newest activity first."""
    # Contacts first, on their own: the trigram indexes find them directly
    # (PostgreSQL), then only their conversations are read.
    contacts = (
        Contact.objects.visible_to(user)
        .filter(Q(display_name__icontains=q) | Q(platform_id__icontains=q))
        .values("pk")[:CONTACT_MATCHES]
    )
    ranked = list(
        qs.filter(search.in_subquery("contact_id", contacts))
        .order_by("-last_message_at")
        .values_list("pk", flat=True)[:limit]
    )
    if len(ranked) < limit:
        seen = set(ranked)
        text_hits = search.conversations_matching_text(
            messages=Message.objects.visible_to(user),
            conversations=qs.exclude(pk__in=ranked) if ranked else qs,
            scope=Conversation.objects.visible_to(user),
            q=q,
            limit=limit - len(ranked),
        )
        ranked += [pk for pk in text_hits if pk not in seen]
    if not ranked:
        return qs.none()
    return qs.filter(search.one_of("id", ranked)).order_by(search.in_order("id", ranked))


def conversation_get(*, user: User, conversation_id) -> Conversation:
    return get_visible_or_404(
        Conversation.objects.select_related("contact", "channel", "assignee"),
        user,
        pk=conversation_id,
    )


def conversation_thread(*, conversation: Conversation) -> list[Message]:
    return list(
        conversation.messages.select_related("author", "outbox").order_by("sent_at", "created_at")
    )


def conversation_notes(*, conversation: Conversation) -> list[Note]:
    return list(conversation.notes.select_related("author"))


def labels_for(*, user: User) -> QuerySet[Label]:
    return Label.objects.visible_to(user)


def canned_responses_for(*, user: User, language: str = "") -> list[CannedResponse]:
    qs = CannedResponse.objects.visible_to(user).filter(purpose="")
    items = list(qs)
    # The conversation's language first, so the officer's first pick fits.
    items.sort(key=lambda c: (c.language != language, c.title))
    return items


def colleagues_for(*, user: User) -> QuerySet[User]:
    if user.agency_id is None:
        return User.objects.none()
    return User.objects.filter(agency_id=user.agency_id, is_active=True).order_by("username")


def conversation_changes_since(*, user: User, since) -> int:
    return Conversation.objects.visible_to(user).filter(last_message_at__gt=since).count()


def conversation_thread_version(*, conversation: Conversation) -> str:
    """Changes whenever anything shown in the thread changes."""
    messages = conversation.messages.aggregate(
        n=Count("pk"),
        last=Max("created_at"),
        deleted=Count("deleted_at"),
        delivered=Count("delivered_at"),
        read=Count("read_at"),
        triaged=Max("triaged_at"),
    )
    outbox = list(
        conversation.messages.filter(outbox__isnull=False)
        .values_list("outbox__state", "outbox__attempts")
        .order_by("created_at")
    )
    corrections = conversation.messages.aggregate(c=Count("corrections"))["c"]
    raw = repr((sorted(messages.items()), outbox, corrections))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]
