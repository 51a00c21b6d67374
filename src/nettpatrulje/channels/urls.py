from django.urls import path

from nettpatrulje.channels import views

urlpatterns = [
    path("webhooks/meta", views.meta_webhook, name="webhook-meta"),
    path("webhooks/discord", views.discord_interactions, name="webhook-discord"),
    path("webhooks/twitch", views.twitch_webhook, name="webhook-twitch"),
]
