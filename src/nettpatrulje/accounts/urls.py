from django.urls import path

from nettpatrulje.accounts import views

urlpatterns = [
    path("account/2fa/setup", views.two_factor_setup, name="two-factor-setup"),
    path("account/2fa/verify", views.two_factor_verify, name="two-factor-verify"),
    path("account/tokens/", views.api_tokens, name="api-tokens"),
    path("account/tokens/new", views.api_token_new, name="api-token-new"),
    path(
        "account/tokens/<int:token_id>/revoke", views.api_token_revoke_view, name="api-token-revoke"
    ),
]
