from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import field_validator

from nettpatrulje.accounts.models import User
from nettpatrulje.inbox import selectors, services
from nettpatrulje.inbox.models import Conversation
from nettpatrulje.lib.http import client_ip
from nettpatrulje.lib.text import storable

router = Router(tags=["conversations"])
MAX_OFFSET = 1_000_000


class ConversationOut(Schema):
    id: UUID
    channel: str = Field(..., alias="channel.platform")
    contact: str = Field(..., alias="contact.platform_id")
    status: str
    priority: int
    urgency: str
    category: str
    language: str
    assignee: str | None = Field(None, alias="assignee.username")
    created_at: datetime
    last_message_at: datetime
    waiting_since: datetime | None


class MessageOut(Schema):
    id: UUID
    direction: str
    text: str = Field(..., alias="redacted_text")
    attachments: list[dict]
    sent_at: datetime
    language: str
    category: str
    urgency: str
    flags: list[str]
    deleted: bool
    delivery: str | None


def _storable_text(value: str | None) -> str | None:
    # NUL (which PostgreSQL refuses) or half a surrogate pair (which UTF-8 cannot
    # encode) is valid JSON but no text we can keep: a 422, not a 500.
    if value is not None and storable(value) != value:
        raise ValueError("must not contain NUL or unpaired surrogates")
    return value


class ReplyIn(Schema):
    text: str = Field(..., min_length=1, max_length=2000)

    @field_validator("text")
    @classmethod
    def _text_storable(cls, value: str) -> str:
        return _storable_text(value)


class ConversationPatch(Schema):
    status: Conversation.Status | None = None
    assignee: str | None = Field(None, description="username, or empty string to unassign")

    @field_validator("assignee")
    @classmethod
    def _assignee_storable(cls, value: str | None) -> str | None:
        return _storable_text(value)


class Error(Schema):
    detail: str


class ValidationErrors(Schema):
    detail: list[dict] = Field(
        ..., description="one entry per invalid field (django-ninja's format)"
    )


# What every operation may answer besides its own results: no or an invalid
# token (401), a role without the permission (403), input that does not
# validate (422). Declared, so that clients (and the schema checks) know them.
ERRORS = {401: Error, 403: Error, 422: ValidationErrors}


def _require(user: User, perm: str) -> None:
    if not user.has_perm(perm):
        raise HttpError(403, "permission denied")


@router.get("/conversations", response={200: list[ConversationOut], **ERRORS})
def list_conversations(
    request: HttpRequest,
    status: str = "open",
    limit: int = 50,
    # Bounded: a database cannot skip more rows than a 64-bit integer counts.
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    _require(request.user, "inbox.view_conversation")
    limit = max(1, min(limit, 200))
    qs = selectors.conversation_list(
        user=request.user, filters=selectors.InboxFilters(status=status)
    )
    return list(qs[offset : offset + limit])


@router.get(
    "/conversations/{conversation_id}", response={200: ConversationOut, 404: Error, **ERRORS}
)
def get_conversation(request: HttpRequest, conversation_id: UUID):
    _require(request.user, "inbox.view_conversation")
    return selectors.conversation_get(user=request.user, conversation_id=conversation_id)


def _message_out(message) -> dict:
    outbox = getattr(message, "outbox", None) if message.direction == "out" else None
    return {
        "id": message.pk,
        "direction": message.direction,
        "redacted_text": "" if message.deleted_at else (message.redacted_text or message.text),
        "attachments": message.attachments if not message.deleted_at else [],
        "sent_at": message.sent_at,
        "language": message.language,
        "category": message.category,
        "urgency": message.urgency,
        "flags": message.flags,
        "deleted": message.deleted_at is not None,
        "delivery": outbox.state if outbox else None,
    }


@router.get(
    "/conversations/{conversation_id}/messages",
    response={200: list[MessageOut], 404: Error, **ERRORS},
)
def list_messages(request: HttpRequest, conversation_id: UUID):
    _require(request.user, "inbox.view_conversation")
    conversation = selectors.conversation_get(user=request.user, conversation_id=conversation_id)
    return [_message_out(m) for m in selectors.conversation_thread(conversation=conversation)]


@router.post(
    "/conversations/{conversation_id}/reply",
    response={201: MessageOut, 400: Error, 404: Error, 409: Error, **ERRORS},
)
def post_reply(request: HttpRequest, conversation_id: UUID, body: ReplyIn):
    _require(request.user, "inbox.reply_conversation")
    conversation = selectors.conversation_get(user=request.user, conversation_id=conversation_id)
    try:
        message = services.conversation_reply(
            conversation=conversation, author=request.user, text=body.text, ip=client_ip(request)
        )
    except services.ReplyBlocked as exc:
        return Status(409, {"detail": str(exc)})
    return Status(201, _message_out(message))


@router.patch(
    "/conversations/{conversation_id}",
    response={200: ConversationOut, 404: Error, 400: Error, **ERRORS},
)
def patch_conversation(request: HttpRequest, conversation_id: UUID, body: ConversationPatch):
    _require(request.user, "inbox.change_conversation")
    conversation = selectors.conversation_get(user=request.user, conversation_id=conversation_id)
    ip = client_ip(request)
    if body.status is not None:
        services.conversation_set_status(
            conversation=conversation, status=body.status, actor=request.user, ip=ip
        )
    if body.assignee is not None:
        assignee = None
        if body.assignee:
            assignee = (
                selectors.colleagues_for(user=request.user).filter(username=body.assignee).first()
            )
            if assignee is None:
                return Status(400, {"detail": "unknown assignee"})
            if assignee != request.user and not request.user.has_perm("inbox.assign_others"):
                raise HttpError(403, "only supervisors can assign to others")
        services.conversation_assign(
            conversation=conversation, assignee=assignee, actor=request.user, ip=ip
        )
    return selectors.conversation_get(user=request.user, conversation_id=conversation_id)
