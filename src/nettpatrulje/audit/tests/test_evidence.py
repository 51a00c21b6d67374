from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from nettpatrulje.audit.evidence import conversation_evidence, evidence_verify
from nettpatrulje.audit.models import AuditRecord
from nettpatrulje.testing.factories import ConversationFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(channel):
    c = ConversationFactory(
        channel=channel,
        agency=channel.agency,
        contact__channel=channel,
        contact__agency=channel.agency,
    )
    MessageFactory(
        conversation=c,
        text="han truer med å dele bildene",
        attachments=[{"type": "image", "url": "https://x/1"}],
    )
    return c


def rewrite(data: bytes, name: str, content: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.namelist():
            dst.writestr(item, content if item == name else src.read(item))
    return out.getvalue()


def test_round_trip(conversation, officer):
    data = conversation_evidence(
        conversation=conversation, user=officer, reason="request from prosecutor"
    )
    check = evidence_verify(data)
    assert check.ok, check.problems
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert set(archive.namelist()) == {
        "transcript.json",
        "transcript.html",
        "attachments.json",
        "triage.json",
        "audit.json",
        "manifest.json",
        "manifest.sig",
    }
    transcript = json.loads(archive.read("transcript.json"))
    assert transcript["messages"][0]["text"] == "han truer med å dele bildene"
    assert json.loads(archive.read("attachments.json"))[0]["type"] == "image"
    audit = json.loads(archive.read("audit.json"))
    assert any(r["action"] == "evidence.export" for r in audit)
    assert check.manifest["exported_by"] == "ola"
    assert AuditRecord.objects.filter(
        action="evidence.export", reason="request from prosecutor"
    ).exists()


def test_tampered_file_detected(conversation, officer):
    data = conversation_evidence(conversation=conversation, user=officer)
    forged = rewrite(data, "transcript.json", b'{"messages": []}')
    check = evidence_verify(forged)
    assert not check.ok
    assert "transcript.json: SHA-256 does not match the manifest" in check.problems


def test_tampered_manifest_detected(conversation, officer):
    data = conversation_evidence(conversation=conversation, user=officer)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))
    manifest["exported_by"] = "someone-else"
    check = evidence_verify(rewrite(data, "manifest.json", json.dumps(manifest).encode()))
    assert any("signature" in p for p in check.problems)


def test_verify_command(conversation, officer, tmp_path, capsys):
    path = tmp_path / "e.zip"
    call_command(
        "evidence",
        "export",
        "--conversation",
        str(conversation.pk),
        "--user",
        "ola",
        "-o",
        str(path),
    )
    call_command("evidence", "verify", str(path))
    assert "evidence intact" in capsys.readouterr().out
    path.write_bytes(rewrite(path.read_bytes(), "audit.json", b"[]"))
    with pytest.raises(CommandError, match=r"audit\.json"):
        call_command("evidence", "verify", str(path))


def test_export_from_page_needs_permission_and_reason(client, officer_client, conversation, agency):
    assert (
        officer_client.post(f"/admin/audit/evidence/{conversation.pk}", {"reason": "x"}).status_code
        == 403
    )
    supervisor = UserFactory(username="kari", agency=agency, roles=["supervisor"])
    client.force_login(supervisor)
    assert (
        client.post(f"/admin/audit/evidence/{conversation.pk}", {"reason": ""}).status_code == 302
    )
    r = client.post(f"/admin/audit/evidence/{conversation.pk}", {"reason": "court"})
    assert r["Content-Type"] == "application/zip"
    assert evidence_verify(r.content).ok


def test_patrol_session_evidence(client, officer, agency, tmp_path, capsys):
    from nettpatrulje.patrols.services import session_start

    session = session_start(
        actor=officer, platform="roblox", game="Brookhaven", location="", slot=None
    )
    data = None
    supervisor = UserFactory(username="kari", agency=agency, roles=["supervisor"])
    client.force_login(supervisor)
    r = client.post(f"/admin/audit/evidence/session/{session.pk}", {"reason": "prosecutor"})
    data = r.content
    check = evidence_verify(data)
    assert check.ok, check.problems
    assert check.manifest["object"] == {"type": "patrol_session", "id": str(session.pk)}
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert {"session.json", "chat.json", "audit.json"} <= names
    path = tmp_path / "s.zip"
    call_command(
        "evidence", "export", "--session", str(session.pk), "--user", "ola", "-o", str(path)
    )
    call_command("evidence", "verify", str(path))
    assert "patrol_session" in capsys.readouterr().out
