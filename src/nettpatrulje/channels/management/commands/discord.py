"""`nettpatrulje discord`: the Gateway bot process, and its tools.

nettpatrulje discord                    run one bot per active Discord channel
nettpatrulje discord register-commands  install /help and /tip for each application
nettpatrulje discord fake               run the fake Discord REST API (demo)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from django.core.management.base import BaseCommand, CommandError

from nettpatrulje.channels import discord
from nettpatrulje.channels.base import SendError
from nettpatrulje.channels.models import Channel, Platform


class Command(BaseCommand):
    help = (
        "Discord: run the Gateway bots (default), `register-commands` to install the "
        "slash commands, `fake` to run a local fake of Discord's REST API."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "action", nargs="?", default="run", choices=["run", "register-commands", "fake"]
        )
        parser.add_argument(
            "--application", default="", help="only this application id (channel account id)"
        )
        parser.add_argument("--host", default="127.0.0.1", help="fake: address to listen on")
        parser.add_argument("--port", type=int, default=8002, help="fake: port")

    def handle(self, *args, action: str, application: str, **options) -> None:
        if action == "fake":
            return self._fake(options["host"], options["port"])
        channels = Channel.objects.filter(platform=Platform.DISCORD).order_by("pk")
        if application:
            channels = channels.filter(account_id=application)
        if action == "register-commands":
            return self._register(list(channels))
        return self._run()

    def _register(self, channels: list[Channel]) -> None:
        if not channels:
            raise CommandError("no Discord channel; add one with `nettpatrulje channels add`")
        failed = 0
        for channel in channels:
            try:
                stored = discord.rest_for(channel).put_commands(
                    application_id=channel.account_id, commands=discord.commands()
                )
            except SendError as exc:
                failed += 1
                self.stderr.write(f"{channel.account_id}: {exc.reason}")
                continue
            names = ", ".join("/" + str(c.get("name")) for c in stored)
            self.stdout.write(f"{channel.account_id}: registered {names}")
        if failed:
            raise CommandError(f"{failed} application(s) failed")

    def _run(self) -> None:
        from nettpatrulje.channels.discord_bot import active_channels, run_all

        channels = active_channels()
        if not channels:
            raise CommandError("no active Discord channel with a bot_token secret")
        logging.getLogger("discord").setLevel(logging.INFO)
        self.stdout.write(
            "Discord Gateway: " + ", ".join(f"{c.name} ({c.account_id})" for c in channels)
        )
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run_all(channels))

    def _fake(self, host: str, port: int) -> None:
        from nettpatrulje.channels.fakediscord import FakeDiscordServer

        server = FakeDiscordServer(host=host, port=port)
        self.stdout.write(f"Fake Discord REST API on {server.api_url}")
        try:
            server.httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.httpd.server_close()
