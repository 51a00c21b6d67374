from django.urls import path

from nettpatrulje.inbox import views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox_list, name="list"),
    path("c/<uuid:conversation_id>/", views.conversation_detail, name="conversation"),
    path("c/<uuid:conversation_id>/thread", views.conversation_thread, name="thread"),
    path("c/<uuid:conversation_id>/reply", views.conversation_reply, name="reply"),
    path("c/<uuid:conversation_id>/note", views.conversation_note, name="note"),
    path("c/<uuid:conversation_id>/update", views.conversation_update, name="update"),
    path("outbox/<uuid:outbox_id>/resolve", views.outbox_resolve, name="outbox-resolve"),
]
