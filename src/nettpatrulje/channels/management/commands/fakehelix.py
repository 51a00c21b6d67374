from __future__ import annotations

from django.core.management.base import BaseCommand

from nettpatrulje.channels.fakehelix import FakeHelixServer


class Command(BaseCommand):
    help = "Run a local fake of Twitch's Helix API (whispers, chat messages) for the demo."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8003)

    def handle(self, *args, host: str, port: int, **options) -> None:
        server = FakeHelixServer(host=host, port=port)
        self.stdout.write(f"Fake Twitch Helix API on {server.helix_url}")
        try:
            server.httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.httpd.server_close()
