"""Agency scoping: the one mechanism through which case data is read.

Every model that belongs to an agency uses `AgencyScopedQuerySet` as its
manager, and every selector starts from `Model.objects.visible_to(user)`.
A user without an agency sees nothing. Later features that share data
across agencies (referrals, operations) extend `visible_to` here, in one
place, instead of widening individual views.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from nettpatrulje.accounts.models import User


class AgencyScopedQuerySet(models.QuerySet):
    # Path from the model to its agency, e.g. "conversation__agency".
    agency_field = "agency"

    def visible_to(self, user: User | Any) -> AgencyScopedQuerySet:
        agency_id = getattr(user, "agency_id", None)
        if not getattr(user, "is_authenticated", False) or agency_id is None:
            return self.none()
        field = getattr(self.model, "agency_field", self.agency_field)
        return self.filter(**{f"{field}_id": agency_id})


def get_visible_or_404(
    source: type[models.Model] | models.QuerySet, user: Any, **lookup: Any
) -> Any:
    """Fetch one object the user may see; another agency's object is a 404, not a 403,
    so its existence does not leak."""
    qs = source if isinstance(source, models.QuerySet) else source.objects.all()
    try:
        return qs.visible_to(user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
