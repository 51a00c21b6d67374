from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from nettpatrulje.accounts.models import User
from nettpatrulje.audit.evidence import conversation_evidence, evidence_verify, session_evidence
from nettpatrulje.inbox.models import Conversation


class Command(BaseCommand):
    help = "Evidence: `evidence export --conversation ID --user NAME -o FILE.zip`, `evidence verify FILE.zip`."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export")
        target = export.add_mutually_exclusive_group(required=True)
        target.add_argument("--conversation")
        target.add_argument("--session", help="a patrol session id")
        export.add_argument(
            "--user",
            required=True,
            help="who exports (recorded in the manifest and the audit trail)",
        )
        export.add_argument("--reason", default="")
        export.add_argument("-o", "--output", required=True)
        verify = sub.add_parser("verify")
        verify.add_argument("file")

    def handle(self, *args, action: str, **options) -> None:
        if action == "verify":
            path = Path(options["file"])
            if not path.exists():
                raise CommandError(f"{path}: no such file")
            check = evidence_verify(path.read_bytes())
            if not check.ok:
                raise CommandError("evidence NOT intact:\n  " + "\n  ".join(check.problems))
            m = check.manifest
            self.stdout.write(
                f"evidence intact: {len(m['files'])} files, {m['object']['type']} {m['object']['id']}, "
                f"exported by {m['exported_by']} at {m['exported_at']}"
            )
            return
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user {options['user']!r}")
        if options["session"]:
            from nettpatrulje.patrols.models import PatrolSession

            session = PatrolSession.objects.visible_to(user).filter(pk=options["session"]).first()
            if session is None:
                raise CommandError("no such patrol session in that user's agency")
            data = session_evidence(session=session, user=user, reason=options["reason"])
        else:
            conversation = (
                Conversation.objects.visible_to(user).filter(pk=options["conversation"]).first()
            )
            if conversation is None:
                raise CommandError("no such conversation in that user's agency")
            data = conversation_evidence(
                conversation=conversation, user=user, reason=options["reason"]
            )
        Path(options["output"]).write_bytes(data)
        self.stdout.write(f"evidence written to {options['output']}")
