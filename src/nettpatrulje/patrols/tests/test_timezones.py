"""Slots are entered in the agency's own time zone, stored in UTC, shown in each
viewer's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from nettpatrulje.patrols import selectors
from nettpatrulje.patrols.services import slot_create

pytestmark = pytest.mark.django_db


def test_icelandic_and_finnish_slot_at_the_same_instant(
    operation, coordinator, logreglan, poliisi, sigga, aino, ola, client
):
    # 14:00 in Reykjavik (UTC+0) and 16:00 in Helsinki (UTC+2 in November): the same instant.
    iceland = slot_create(
        actor=coordinator, operation=operation, agency=logreglan, platform="fortnite",
        day=date(2023, 11, 21), start=time(14), end=time(16),
    )  # fmt: skip
    finland = slot_create(
        actor=coordinator, operation=operation, agency=poliisi, platform="minecraft",
        day=date(2023, 11, 21), start=time(16), end=time(18),
    )  # fmt: skip
    instant = datetime(2023, 11, 21, 14, tzinfo=UTC)
    assert iceland.starts_at == finland.starts_at == instant

    def times(user):
        return {
            r.slot.agency.country: (r.start.strftime("%H:%M"), r.agency_start.strftime("%H:%M"))
            for r in selectors.slot_rows(user=user, operation=operation)
        }

    assert times(sigga) == {"IS": ("14:00", "14:00"), "FI": ("14:00", "16:00")}
    assert times(aino) == {"IS": ("16:00", "14:00"), "FI": ("16:00", "16:00")}
    assert times(ola) == {"IS": ("15:00", "14:00"), "FI": ("15:00", "16:00")}

    # A user's own time zone wins over the agency's.
    ola.timezone = "America/New_York"
    ola.save()
    assert times(ola)["FI"] == ("09:00", "16:00")

    # And the page shows it.
    client.force_login(aino)
    page = client.get(f"/patrols/operations/{operation.pk}/").content.decode()
    assert page.count('class="your-time">16:00–18:00') == 2  # both slots, the same instant
    assert "(14:00–16:00 Atlantic/Reykjavik)" in page


def test_slot_past_midnight_ends_the_next_day(operation, coordinator, poliisi):
    slot = slot_create(
        actor=coordinator, operation=operation, agency=poliisi, platform="fortnite",
        day=date(2023, 11, 21), start=time(22), end=time(1),
    )  # fmt: skip
    assert slot.ends_at == datetime(2023, 11, 21, 23, tzinfo=UTC)
