"""The web chat's HTTP API (called cross-origin by widget.js) and the demo page.

Every API URL carries the widget key as `?key=`: a CORS preflight has no body
and no Authorization header, so the key in the URL is the only way to answer
the preflight with the right channel's origins — and to refuse a foreign
origin *before* the browser sends a message.

Status codes: unknown key 404, origin not allowed or channel disabled 403,
bad/expired/forged token 401, malformed JSON or fields 400, too long 413,
too many 429 (with Retry-After). Never credentials: the token is a header.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from nettpatrulje.channels.models import Channel
from nettpatrulje.lib.http import client_ip, json_body
from nettpatrulje.lib.text import storable
from nettpatrulje.widget import services
from nettpatrulje.widget.services import RateLimited, TokenInvalid, Visitor

MAX_BODY = 16 * 1024  # 2000 characters of text are at most 8 KiB of UTF-8 plus JSON
ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type"


def _own_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _cors(response: HttpResponse, origin: str) -> HttpResponse:
    response["Vary"] = "Origin"
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Expose-Headers"] = "Retry-After"
    return response


def _error(status: int, code: str, message: str, origin: str = "", **extra) -> JsonResponse:
    return _cors(JsonResponse({"error": code, "message": message, **extra}, status=status), origin)


def _bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _read_json(request: HttpRequest, origin: str) -> tuple[dict | None, JsonResponse | None]:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY:
        return None, _error(413, "too_large", "body too large", origin)
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return None, _error(413, "too_large", "body too large", origin)
    if not body.strip():
        return {}, None
    try:
        data = json_body(body)
    except ValueError:
        return None, _error(400, "bad_json", "body is not JSON in UTF-8", origin)
    if not isinstance(data, dict):
        return None, _error(400, "bad_json", "body must be a JSON object", origin)
    return data, None


Handler = Callable[[HttpRequest, Channel, str], HttpResponse]


def _widget_endpoint(methods: tuple[str, ...]) -> Callable[[Handler], Callable]:
    """Common door of every API view: channel by key (404), origin (403, also
    answers preflights), channel enabled (403). The handler gets the channel
    and the origin to echo ("" for a request without an Origin header, i.e.
    not from a browser's cross-origin fetch)."""

    def decorate(handler: Handler) -> Callable:
        @csrf_exempt  # no cookies are used: the token travels in a header
        def view(request: HttpRequest) -> HttpResponse:
            origin = request.headers.get("Origin", "")
            channel = services.widget_channel(request.GET.get("key", ""))
            if channel is None:
                return _error(404, "unknown_key", "no web chat with this key")
            if origin and not services.origin_allowed(channel, origin, _own_origin(request)):
                # No CORS headers: the browser refuses the response (and, for a
                # preflight, never sends the request itself).
                return _error(403, "origin_not_allowed", "this site may not use this web chat")
            if request.method == "OPTIONS":
                response = _cors(HttpResponse(status=204), origin)
                response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
                response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                response["Access-Control-Max-Age"] = "600"
                return response
            if request.method not in methods:
                response = _error(405, "method_not_allowed", "method not allowed", origin)
                response["Allow"] = ", ".join((*methods, "OPTIONS"))
                return response
            if channel.status != Channel.Status.ACTIVE:
                return _error(403, "disabled", "this web chat is switched off", origin)
            return handler(request, channel, origin)

        return view

    return decorate


def _visitor(request: HttpRequest, channel: Channel, origin: str) -> Visitor | JsonResponse:
    try:
        return services.token_verify(_bearer(request), channel=channel)
    except TokenInvalid as exc:
        return _error(401, "bad_token", str(exc), origin)


@_widget_endpoint(("POST",))
def session(request: HttpRequest, channel: Channel, origin: str) -> HttpResponse:
    """A token for a new visitor, or a renewed one for a returning visitor
    (valid token in Authorization), with what the widget shows at the top."""
    _, error = _read_json(request, origin)
    if error:
        return error
    visitor_id = None
    if _bearer(request):
        try:
            visitor_id = services.token_verify(_bearer(request), channel=channel).visitor_id
        except TokenInvalid:
            visitor_id = None  # expired or foreign: start afresh rather than fail
    if visitor_id is None:
        try:
            services.rate_limit_session(client_ip(request) or "")
        except RateLimited as exc:
            return _rate_limited(exc, origin)
    token, _ = services.token_issue(channel=channel, visitor_id=visitor_id)
    payload = services.session_payload(channel=channel, token=token)
    payload["returning"] = visitor_id is not None
    return _cors(JsonResponse(payload, status=200 if visitor_id else 201), origin)


@_widget_endpoint(("GET", "POST"))
def messages(request: HttpRequest, channel: Channel, origin: str) -> HttpResponse:
    visitor = _visitor(request, channel, origin)
    if isinstance(visitor, JsonResponse):
        return visitor
    if request.method == "GET":
        return _messages_list(request, channel, visitor, origin)
    return _message_send(request, channel, visitor, origin)


def _messages_list(
    request: HttpRequest, channel: Channel, visitor: Visitor, origin: str
) -> HttpResponse:
    after = None
    if request.GET.get("after"):
        try:
            after = services.decode_cursor(request.GET["after"])
        except ValueError:
            return _error(
                400, "bad_cursor", "after must be a cursor from an earlier answer", origin
            )
    try:
        services.rate_limit_poll(visitor)
    except RateLimited as exc:
        return _rate_limited(exc, origin)
    items, cursor = services.visitor_messages(channel=channel, visitor=visitor, after=after)
    response = JsonResponse({"messages": items, "cursor": cursor})
    response["Cache-Control"] = "no-store"
    return _cors(response, origin)


def _message_send(
    request: HttpRequest, channel: Channel, visitor: Visitor, origin: str
) -> HttpResponse:
    data, error = _read_json(request, origin)
    if error:
        return error
    client_id = data.get("client_id")
    text = data.get("text")
    if not isinstance(client_id, str) or not services.CLIENT_ID_RE.match(client_id):
        return _error(400, "bad_client_id", "client_id must be 8-64 of A-Z a-z 0-9 _ -", origin)
    if not isinstance(text, str) or not text.strip():
        return _error(400, "empty", "text must be a non-empty string", origin)
    # Half an emoji or a NUL (valid JSON escapes) cannot be stored as text: marked, not refused.
    text = storable(text.strip())
    if len(text) > services.MAX_TEXT:
        return _error(
            413,
            "too_long",
            f"at most {services.MAX_TEXT} characters",
            origin,
            max_length=services.MAX_TEXT,
        )
    try:
        services.rate_limit_message(visitor)
    except RateLimited as exc:
        return _rate_limited(exc, origin)
    services.visitor_message_store(
        channel=channel,
        visitor=visitor,
        client_id=client_id,
        text=text,
        headers=dict(request.headers),
    )
    return _cors(JsonResponse({"status": "accepted", "client_id": client_id}, status=202), origin)


def _rate_limited(exc: RateLimited, origin: str) -> JsonResponse:
    response = _error(
        429,
        "rate_limited",
        "too many requests; try again later",
        origin,
        retry_after=exc.retry_after,
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


# The widget's languages, each named in itself (never translated).
WIDGET_LANGUAGES = [
    ("nb", "Bokmål"),
    ("nn", "Nynorsk"),
    ("en", "English"),
    ("fi", "Suomi"),
    ("nl", "Nederlands"),
    ("fr", "Français"),
    ("is", "Íslenska"),
]
ADD_COMMAND = (
    "nettpatrulje channels add --agency kripos --platform widget"
    ' --account-id wk_demo_kripos --name "Web chat" --config origins=https://www.politiet.no'
)


@require_GET
def demo(request: HttpRequest) -> HttpResponse:
    """A fake police website embedding the widget with its one tag."""
    channel = services.demo_channel()
    languages = {code for code, _ in settings.LANGUAGES}
    lang = request.GET.get("lang", "")
    if lang not in dict(WIDGET_LANGUAGES):
        lang = channel.agency.language if channel else translation.get_language()
    # The page's own text exists in the interface languages; the widget follows <html lang>.
    with translation.override(lang if lang in languages else "en"):
        return render(
            request,
            "widget/demo.html",
            {
                "channel": channel,
                "page_lang": lang,
                "widget_languages": WIDGET_LANGUAGES,
                "add_command": ADD_COMMAND,
            },
        )
