"""The year's actuals, under /plan/actuals/: entering a committee's figures and confirming them."""

from django.urls import path

from workflows import actuals_views

app_name = "actuals"
urlpatterns = [
    path("new/", actuals_views.actuals_new, name="new"),
    path("<int:pk>/", actuals_views.actuals_report, name="report"),
    path("review.xlsx", actuals_views.year_review_download, {"fmt": "xlsx"}, name="review_xlsx"),
    path("review.pdf", actuals_views.year_review_download, {"fmt": "pdf"}, name="review_pdf"),
]
