"""`nettpatrulje demo`: load the demo data, then run the whole product on one
machine: web server, worker, fake Graph API and the traffic simulator."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from nettpatrulje.web.demo import DEMO_PASSWORD, USERS, seed_demo


class Command(BaseCommand):
    help = "Load demo data; unless --seed-only, also serve the product with live simulated traffic."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed-only", action="store_true")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--graph-port", type=int, default=8001)
        parser.add_argument("--rate", type=float, default=0.3, help="simulated events per second")

    def handle(
        self, *args, seed_only: bool, host: str, port: int, graph_port: int, rate: float, **options
    ) -> None:
        call_command("migrate", verbosity=0, interactive=False)
        counts = seed_demo()
        self.stdout.write(f"Demo data ready: {counts}")
        if seed_only:
            return
        self._serve(host, port, graph_port, rate)

    def _serve(self, host: str, port: int, graph_port: int, rate: float) -> None:
        env = os.environ.copy()
        env.setdefault("META_APP_SECRET", settings.META_APP_SECRET or "demo-app-secret")
        env.setdefault("META_VERIFY_TOKEN", settings.META_VERIFY_TOKEN or "demo-verify-token")
        env["META_GRAPH_URL"] = f"http://127.0.0.1:{graph_port}"
        env["DISCORD_API_URL"] = f"http://127.0.0.1:{graph_port + 1}/api/v10"
        env["TWITCH_HELIX_URL"] = f"http://127.0.0.1:{graph_port + 2}/helix"
        env["NETTPATRULJE_DEMO"] = "1"
        env.setdefault("DJANGO_SECRET_KEY", settings.SECRET_KEY)
        exe = [sys.executable, "-m", "nettpatrulje"]
        base_url = f"http://{host}:{port}"
        procs = {
            "web": [
                sys.executable,
                "-m",
                "granian",
                "--interface",
                "wsgi",
                "--host",
                host,
                "--port",
                str(port),
                "--workers",
                "1",
                "--blocking-threads",
                "8",
                "nettpatrulje.wsgi:application",
            ],
            "worker": [*exe, "worker", "--nice", "10"],
            "fakegraph": [
                *exe,
                "fakegraph",
                "--port",
                str(graph_port),
                "--echo-url",
                f"{base_url}/webhooks/meta",
            ],
            "fakediscord": [*exe, "discord", "fake", "--port", str(graph_port + 1)],
            "fakehelix": [*exe, "fakehelix", "--port", str(graph_port + 2)],
            "simulator": [
                *exe,
                "simulate",
                "--rate",
                str(rate),
                "--duration",
                str(7 * 24 * 3600),
                "--url",
                f"{base_url}/webhooks/meta",
            ],
        }
        running: dict[str, subprocess.Popen] = {}
        try:
            for name in ("web", "worker", "fakegraph", "fakediscord", "fakehelix"):
                running[name] = subprocess.Popen(procs[name], env=env)
            self._wait_for(f"{base_url}/healthz")
            running["simulator"] = subprocess.Popen(procs["simulator"], env=env)
            self._banner(base_url)
            while True:
                for name, proc in running.items():
                    if proc.poll() is not None and name != "simulator":
                        self.stderr.write(
                            f"{name} exited with {proc.returncode}; stopping the demo"
                        )
                        return
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            for proc in running.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in running.values():
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()

    def _wait_for(self, url: str, timeout: float = 30) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=1).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)

    def _banner(self, base_url: str) -> None:
        lines = [
            "",
            f"  Nettpatrulje demo is running at {base_url}/",
            f"  Log in with any of these users, password: {DEMO_PASSWORD}",
        ]
        for username, agency, roles, *_ in USERS:
            lines.append(f"    {username:<12} {agency:<10} {', '.join(r.value for r in roles)}")
        lines += [
            "  Simulated Messenger, Instagram, Twitch, Discord and web chat traffic is arriving.",
            f"  The web chat as a police website embeds it: {base_url}/widget/demo",
            "  Ctrl-C stops everything.",
            "",
        ]
        self.stdout.write("\n".join(lines))
