"""Settings for the test suite: the real settings with test-only switches."""

import os

os.environ.setdefault("NETTPATRULJE_TESTING", "1")
os.environ.setdefault("NETTPATRULJE_FAST_HASHER", "1")
os.environ.setdefault(
    "NETTPATRULJE_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
)
os.environ.setdefault("META_APP_SECRET", "test-app-secret")
os.environ.setdefault("META_VERIFY_TOKEN", "test-verify-token")
os.environ.setdefault("META_GRAPH_URL", "http://127.0.0.1:9")  # tests point it at a fake

from nettpatrulje.settings import *  # noqa: F403
