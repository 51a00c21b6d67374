"""Access to the JSON data files shipped inside the package."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

_PACKAGE = "nettpatrulje.triage"


def data_path(*parts: str) -> Any:
    """Traversable for a file under ``triage/data``."""
    node = resources.files(_PACKAGE).joinpath("data")
    for part in parts:
        node = node.joinpath(part)
    return node


@cache
def load_json(*parts: str) -> Any:
    """Parse a JSON data file once per process (the result must be treated as read-only)."""
    with data_path(*parts).open("r", encoding="utf-8") as fh:
        return json.load(fh)
