from django.urls import path

from nettpatrulje.widget import views

app_name = "widget"
urlpatterns = [
    path("api/session", views.session, name="session"),
    path("api/messages", views.messages, name="messages"),
    path("demo", views.demo, name="demo"),
]
