"""The HTTP API (django-ninja), OpenAPI at /api/v1/openapi.json."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer

from nettpatrulje.accounts.services import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(token)
        if user is None or user.agency_id is None:
            return None
        request.user = user
        return user


api = NinjaAPI(
    title="Nettpatrulje API",
    version="1",
    auth=ApiTokenAuth(),
    urls_namespace="api",
    # The interactive docs page loads Swagger UI from a CDN: closed police networks
    # have none, so only the OpenAPI document is served.
    docs_url=None,
    description="Agency-scoped access to conversations. Authenticate with `Authorization: Bearer <token>`.",
)

from nettpatrulje.inbox.api import router as inbox_router  # noqa: E402

api.add_router("/", inbox_router)
