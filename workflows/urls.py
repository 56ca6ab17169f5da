from django.urls import path

from workflows import views, year_views

app_name = "workflows"
urlpatterns = [
    path("<int:pk>/", views.task_page, name="task"),
    path("revisions/", views.revision_list, name="revisions"),
    path("revisions/new/", views.revision_new, name="revision_new"),
    path("revisions/<int:pk>/", views.revision_page, name="revision"),
    path("year/", year_views.year_page, name="year"),
    path("calls/<int:pk>/", year_views.call_answer_page, name="call_answer"),
]
