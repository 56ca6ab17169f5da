"""Drafting an amendment, under /plan/: the pages that start and advance an amendment's process."""

from django.urls import path

from workflows import attachment_views, discussion_views, drafting_views, year_views

app_name = "drafting"
urlpatterns = [
    path("amendments/new/", drafting_views.amendment_new, name="amendment_new"),
    path("amendments/<int:pk>/", drafting_views.amendment_edit, name="amendment_edit"),
    path(
        "amendments/<int:pk>/operations/<int:position>/remove/",
        drafting_views.amendment_operation_remove,
        name="amendment_operation_remove",
    ),
    path("amendments/<int:pk>/submit/", drafting_views.amendment_submit, name="amendment_submit"),
    path("amendments/<int:pk>/figures.xlsx", drafting_views.amendment_figures, name="amendment_figures"),
    path(
        "amendments/<int:pk>/figures/preview/",
        drafting_views.amendment_figures_preview,
        name="amendment_figures_preview",
    ),
    path("amendments/<int:pk>/figures/save/", drafting_views.amendment_figures_save, name="amendment_figures_save"),
    path("amendments/<int:pk>/prefill/", year_views.amendment_prefill, name="amendment_prefill"),
    path("amendments/<int:pk>/comments/", discussion_views.comment_new, name="comment_new"),
    path("comments/<int:pk>/edit/", discussion_views.comment_change, name="comment_edit"),
    path(
        "amendments/<int:pk>/attachments/",
        attachment_views.attachment_new,
        {"kind": "amendment"},
        name="amendment_attach",
    ),
    path(
        "revisions/<int:pk>/attachments/",
        attachment_views.attachment_new,
        {"kind": "revision"},
        name="revision_attach",
    ),
    path("attachments/<int:pk>/", attachment_views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/remove/", attachment_views.attachment_take_off, name="attachment_remove"),
    path("comments/<int:pk>/resolve/", discussion_views.comment_resolve, name="comment_resolve"),
    path("amendments/<int:pk>/withdraw/", drafting_views.amendment_withdraw_view, name="amendment_withdraw"),
]
