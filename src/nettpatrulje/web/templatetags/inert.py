"""`{{ text|inert }}`: untrusted text with invisible and direction-changing characters
shown as visible markers (see lib.text). Escaping stays on."""

from __future__ import annotations

from django import template

from nettpatrulje.lib.text import make_inert

register = template.Library()


@register.filter(is_safe=False)
def inert(value) -> str:
    return make_inert("" if value is None else str(value))
