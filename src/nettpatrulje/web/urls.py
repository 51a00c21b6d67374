from django.contrib.auth import views as auth_views
from django.urls import path

from nettpatrulje.web import channel_admin, views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", views.metrics, name="metrics"),
    path("demo/login/<str:username>", views.demo_login, name="demo-login"),
    path("admin/events/", views.events_list, name="events"),
    path("admin/events/<int:event_id>/retry", views.event_retry, name="event-retry"),
    path("admin/channels/", channel_admin.channel_list, name="channels"),
    path("admin/channels/new", channel_admin.channel_edit, name="channel-new"),
    path("admin/channels/<int:channel_id>/edit", channel_admin.channel_edit, name="channel-edit"),
    path(
        "admin/channels/<int:channel_id>/toggle",
        channel_admin.channel_toggle,
        name="channel-toggle",
    ),
    path("i18n/setlang/", views.set_language, name="set-language"),
]
