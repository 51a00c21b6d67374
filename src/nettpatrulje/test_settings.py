"""Settings for the test suite: the real settings with test-only switches."""

import os

os.environ.setdefault("NETTPATRULJE_TESTING", "1")
os.environ.setdefault("NETTPATRULJE_FAST_HASHER", "1")
os.environ.setdefault(
    "NETTPATRULJE_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
)
# The tests sign with these; an operator's environment must not change them.
os.environ["META_APP_SECRET"] = "test-app-secret"
os.environ["META_VERIFY_TOKEN"] = "test-verify-token"
os.environ["META_GRAPH_URL"] = "http://127.0.0.1:9"  # tests point it at a fake
os.environ["DISCORD_API_URL"] = "http://127.0.0.1:9"  # never the real platforms
os.environ["TWITCH_HELIX_URL"] = "http://127.0.0.1:9"
os.environ.pop("NETTPATRULJE_ENCRYPTION_KEYS", None)
# Off for the suite at large; tests of the enforcement switch it on (accounts/tests).
os.environ["NETTPATRULJE_REQUIRE_2FA"] = "0"

from nettpatrulje.settings import *  # noqa: F403
