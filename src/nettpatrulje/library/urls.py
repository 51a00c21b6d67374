from django.urls import path

from nettpatrulje.library import views

app_name = "library"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.article_new, name="new"),
    path("<int:article_id>/", views.article_detail, name="detail"),
    path("<int:article_id>/edit/", views.article_edit, name="edit"),
    path("<int:article_id>/versions/", views.article_versions, name="versions"),
]
