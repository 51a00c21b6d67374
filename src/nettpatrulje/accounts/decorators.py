from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def agency_member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and a member of an agency: the precondition of every case-data page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.agency_id is None:
            raise PermissionDenied("no agency")
        return view(request, *args, **kwargs)

    return wrapper


def permission(perm: str) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.has_perm(perm):
                raise PermissionDenied(perm)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
