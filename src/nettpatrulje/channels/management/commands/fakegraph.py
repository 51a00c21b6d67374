from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from nettpatrulje.channels.fakegraph import FakeGraphServer
from nettpatrulje.channels.models import Channel, Platform


def _resolve(token: str) -> tuple[str, str] | None:
    # Tokens are encrypted at rest, so look them up among the (few) Meta channels.
    meta = Channel.objects.filter(platform__in=[Platform.MESSENGER, Platform.INSTAGRAM])
    channel = next((c for c in meta if c.access_token == token), None)
    if channel is None:
        return None
    return ("instagram" if channel.platform == Platform.INSTAGRAM else "page", channel.account_id)


class Command(BaseCommand):
    help = "Run a local fake of Meta's Graph Send API (for the demo and manual testing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument(
            "--echo-url",
            default="http://127.0.0.1:8000/webhooks/meta",
            help="post signed echoes of sent messages here, as Meta does ('' to disable)",
        )

    def handle(self, *args, host: str, port: int, echo_url: str, **options) -> None:
        server = FakeGraphServer(
            host=host,
            port=port,
            echo_url=echo_url,
            app_secret=settings.META_APP_SECRET,
            resolve_account=_resolve,
            echo_delay=0.3,
        )
        self.stdout.write(f"Fake Graph API on {server.url} (echoes to {echo_url or 'nowhere'})")
        try:
            server.httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.httpd.server_close()
