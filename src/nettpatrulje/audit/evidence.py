"""Evidence export: a ZIP that a court or a partner can check.

Contents: the full transcript (HTML and JSON), attachments' metadata, the
triage history, the audit extract for the object, and `manifest.json` with
the SHA-256 of every file, who exported it and when. The manifest itself is
signed (HMAC-SHA256 with a key derived from DJANGO_SECRET_KEY), so on this
installation a changed manifest is detected as well as a changed file.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from nettpatrulje.audit.models import AuditRecord
from nettpatrulje.audit.services import audit_log
from nettpatrulje.inbox.models import Conversation

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"


def _signing_key() -> bytes:
    return hashlib.sha256(b"nettpatrulje-evidence:" + settings.SECRET_KEY.encode()).digest()


def _json(data) -> bytes:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True, default=str).encode()


def conversation_evidence(
    *, conversation: Conversation, user, ip: str | None = None, reason: str = ""
) -> bytes:
    messages = list(
        conversation.messages.select_related("author")
        .prefetch_related("corrections")
        .order_by("sent_at", "created_at")
    )
    transcript = {
        "conversation": {
            "id": str(conversation.pk),
            "agency": conversation.agency.slug,
            "channel": conversation.channel.platform,
            "account": conversation.channel.account_id,
            "contact": conversation.contact.platform_id,
            "created_at": conversation.created_at,
            "status": conversation.status,
        },
        "messages": [
            {
                "id": str(m.pk),
                "direction": m.direction,
                "sent_at": m.sent_at,
                "platform_message_id": m.platform_message_id,
                "text": m.text,
                "author": m.author.get_username() if m.author else None,
                "automatic": m.is_automatic,
                "deleted_at": m.deleted_at,
            }
            for m in messages
        ],
        "notes": [
            {"author": n.author.get_username(), "at": n.created_at, "text": n.text}
            for n in conversation.notes.select_related("author")
        ],
    }
    attachments = [{"message": str(m.pk), **a} for m in messages for a in m.attachments]
    triage = [
        {
            "message": str(m.pk),
            "triaged_at": m.triaged_at,
            "language": m.language,
            "category": m.category,
            "urgency": m.urgency,
            "flags": m.flags,
            "pii": m.pii,
            "explanation": m.triage_explanation,
            "corrections": [
                {
                    "by": c.corrected_by_id,
                    "at": c.corrected_at,
                    "predicted": c.predicted,
                    "corrected": c.corrected,
                }
                for c in m.corrections.all()
            ],
        }
        for m in messages
        if m.direction == "in"
    ]
    # The export is itself recorded first, so the extract includes it.
    audit_log(action="evidence.export", actor=user, obj=conversation, ip=ip, reason=reason)
    ids = [str(conversation.pk)] + [str(m.pk) for m in messages]
    extract = [_record(r) for r in AuditRecord.objects.filter(object_id__in=ids).order_by("id")]
    files = {
        "transcript.json": _json(transcript),
        "transcript.html": render_to_string(
            "audit/evidence_transcript.html", {"t": transcript}
        ).encode(),
        "attachments.json": _json(attachments),
        "triage.json": _json(triage),
        "audit.json": _json(extract),
    }
    return _package(files, object_type="conversation", object_id=str(conversation.pk), user=user)


def session_evidence(*, session, user, ip: str | None = None, reason: str = "") -> bytes:
    """A patrol session: what the officer logged, the incidents, guidance, and the
    chat collected during it."""
    from nettpatrulje.channels.models import StreamChatLine

    log = {
        "session": {
            "id": str(session.pk),
            "agency": session.agency.slug,
            "officer": session.officer.get_username(),
            "platform": session.platform,
            "game": session.game,
            "location": session.location,
            "started_at": session.started_at,
            "ended_at": session.ended_at,
            "summary": session.summary,
        },
        "interactions": [
            {
                "at": i.at,
                "handle": i.handle,
                "age_band": i.age_band,
                "topics": i.topics,
                "concern": i.concern,
                "note": i.note,
            }
            for i in session.interactions.order_by("at")
        ],
        "incidents": [
            {
                "at": i.created_at,
                "description": i.description,
                "concern": i.concern,
                "conversation": str(i.conversation_id) if i.conversation_id else None,
            }
            for i in session.incidents.order_by("created_at")
        ],
        "guidance": [
            {
                "asked_at": g.asked_at,
                "question": g.question,
                "answer": g.answer,
                "answered_at": g.answered_at,
            }
            for g in session.guidance.order_by("asked_at")
        ],
    }
    lines = StreamChatLine.objects.filter(agency_id=session.agency_id, session_ref=str(session.pk))
    chat = [
        {
            "sent_at": c.sent_at,
            "platform_message_id": c.platform_message_id,
            "author_id": c.author_id,
            "author": c.author_name,
            "text": c.text,
            "category": c.category,
            "urgency": c.urgency,
        }
        for c in lines.order_by("sent_at")
    ]
    audit_log(action="evidence.export", actor=user, obj=session, ip=ip, reason=reason)
    records = AuditRecord.objects.filter(
        object_type=session._meta.label_lower, object_id=str(session.pk)
    )
    files = {
        "session.json": _json(log),
        "chat.json": _json(chat),
        "audit.json": _json([_record(r) for r in records.order_by("id")]),
    }
    return _package(files, object_type="patrol_session", object_id=str(session.pk), user=user)


def _record(r: AuditRecord) -> dict:
    return {
        "id": r.pk,
        "at": r.at,
        "actor": r.actor_label,
        "action": r.action,
        "object_type": r.object_type,
        "object_id": r.object_id,
        "detail": r.detail,
        "ip": r.ip,
        "reason": r.reason,
        "hash": r.hash,
        "prev_hash": r.prev_hash,
    }


def _package(files: dict[str, bytes], *, object_type: str, object_id: str, user) -> bytes:
    manifest = {
        "object": {"type": object_type, "id": object_id},
        "exported_by": user.get_username(),
        "exported_at": timezone.now().isoformat(),
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    manifest_bytes = _json(manifest)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr(MANIFEST, manifest_bytes)
        archive.writestr(
            SIGNATURE, hmac.new(_signing_key(), manifest_bytes, hashlib.sha256).hexdigest()
        )
    return buffer.getvalue()


@dataclass
class EvidenceCheck:
    ok: bool
    problems: list[str] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)


def evidence_verify(data: bytes) -> EvidenceCheck:
    problems: list[str] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return EvidenceCheck(False, ["not a ZIP file"])
    names = set(archive.namelist())
    if MANIFEST not in names:
        return EvidenceCheck(False, ["manifest.json is missing"])
    manifest_bytes = archive.read(MANIFEST)
    manifest = json.loads(manifest_bytes)
    for name, expected in manifest.get("files", {}).items():
        if name not in names:
            problems.append(f"{name}: missing")
        elif hashlib.sha256(archive.read(name)).hexdigest() != expected:
            problems.append(f"{name}: SHA-256 does not match the manifest")
    extra = names - set(manifest.get("files", {})) - {MANIFEST, SIGNATURE}
    problems += [f"{name}: not in the manifest" for name in sorted(extra)]
    if SIGNATURE in names:
        expected_sig = hmac.new(_signing_key(), manifest_bytes, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected_sig, archive.read(SIGNATURE).decode().strip()):
            problems.append(
                "manifest signature does not match (changed manifest, or exported by another installation)"
            )
    else:
        problems.append("manifest.sig is missing")
    return EvidenceCheck(not problems, problems, manifest)
