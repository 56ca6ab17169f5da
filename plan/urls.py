from django.urls import path

from plan import views

app_name = "plan"
urlpatterns = [
    path("", views.plan_browser, name="browser"),
    path("diff/", views.plan_diff_view, name="diff"),
    path("progress/", views.progress_view, name="progress"),
    path("items/<str:code>/", views.item_view, name="item"),
]
