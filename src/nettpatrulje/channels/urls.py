from django.conf import settings
from django.urls import path

from nettpatrulje.channels import views

urlpatterns = [
    path("webhooks/meta", views.meta_webhook, name="webhook-meta"),
    path("webhooks/discord", views.discord_interactions, name="webhook-discord"),
    path("webhooks/twitch", views.twitch_webhook, name="webhook-twitch"),
]

if settings.BENCH_ENDPOINTS:
    from nettpatrulje.channels import bench_views

    urlpatterns.append(path("bench/raw-insert", bench_views.raw_insert, name="bench-raw-insert"))
