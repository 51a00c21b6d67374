"""Whatever a correctly signed body holds, the webhook never answers 500."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nettpatrulje.channels import twitch
from nettpatrulje.channels.fakehelix import signed_request

SECRET = "secret-of-b100-0123456789"

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
ids = st.sampled_from(["B100", 100, None, "", ["B100"], {"id": "B100"}])
events = st.dictionaries(
    st.sampled_from(
        [
            "broadcaster_user_id",
            "chatter_user_id",
            "chatter_user_name",
            "message_id",
            "message",
            "from_user_id",
            "to_user_id",
            "whisper_id",
            "whisper",
            "message_type",
        ]
    ),
    json_values | ids,
)
twitch_like = st.fixed_dictionaries(
    {
        "subscription": st.fixed_dictionaries(
            {
                "type": st.sampled_from(
                    [twitch.CHAT_MESSAGE, twitch.WHISPER_MESSAGE, "channel.follow", "", 5]
                ),
                "condition": st.fixed_dictionaries({"broadcaster_user_id": st.just("B100")})
                | st.fixed_dictionaries({"user_id": st.just("B100")}),
            },
            optional={"status": json_values, "id": json_values},
        )
    },
    optional={"event": events | json_values, "challenge": json_values},
)
message_types = st.sampled_from(
    [twitch.MESSAGE_NOTIFICATION, twitch.MESSAGE_VERIFICATION, twitch.MESSAGE_REVOCATION, "x"]
)


@pytest.mark.django_db
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payload=twitch_like | json_values, message_type=message_types)
def test_signed_arbitrary_json_never_500(twitch_channel, payload, message_type):
    raw, headers = signed_request(payload, SECRET, message_type=message_type)
    headers.pop("Content-Type")
    r = Client(raise_request_exception=False).post(
        "/webhooks/twitch", data=raw, content_type="application/json", headers=headers
    )
    assert r.status_code < 500, (json.dumps(payload)[:300], r.content[:300])
    assert r.status_code in {200, 400, 403}
