"""The auditor's pages, under /audit/."""

from django.urls import path

from approvals import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_events_view, name="events"),
    path("export.csv", views.audit_export_csv, name="export_csv"),
    path("export.xlsx", views.audit_export_xlsx, name="export_xlsx"),
    path("events/<int:pk>/", views.audit_event_view, name="event"),
    path("amendments/<int:pk>/", views.audit_amendment_timeline, name="amendment"),
    path("revisions/<int:pk>/", views.audit_revision_timeline, name="revision"),
    path("items/", views.audit_item_history, name="item"),
    path("verification/", views.audit_verification_view, name="verification"),
]
