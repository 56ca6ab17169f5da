from django.urls import path

from workflows import views

app_name = "workflows"
urlpatterns = [
    path("<int:pk>/", views.task_page, name="task"),
    path("revisions/", views.revision_list, name="revisions"),
    path("revisions/new/", views.revision_new, name="revision_new"),
    path("revisions/<int:pk>/", views.revision_page, name="revision"),
]
