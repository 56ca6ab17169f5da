from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from approvals import views as approval_views
from config import health, views
from people.forms import SignInForm
from workflows import search_views
from workflows import views as workflow_views
from workflows.api import api, schema_view

handler500 = "config.views.server_error"

urlpatterns = [
    path("", approval_views.dashboard, name="home"),
    path("inbox/", approval_views.task_list, {"which": "inbox"}, name="inbox"),
    path("queue/", approval_views.task_list, {"which": "queue"}, name="queue"),
    path("tasks/<int:pk>/claim/", workflow_views.task_claim_view, name="task_claim"),
    path("tasks/<int:pk>/release/", workflow_views.task_release_view, name="task_release"),
    path("tasks/", include("workflows.urls")),
    path("profile/", approval_views.profile, name="profile"),
    path("account/", include("people.urls")),
    # the province's OpenID Connect sign-in (people/identity.py): 404 while OIDC_RP_CLIENT_ID is unset
    path("oidc/", include("people.identity_urls")),
    path("search/", search_views.search_page, name="search"),
    # the REST API (docs/api.md): its schema at /api/schema/ (and /api/v1/openapi.json), its
    # reference at /api/v1/docs
    path("api/v1/", api.urls),
    path("api/schema/", schema_view, name="api_schema"),
    path("profile/delegations/<int:pk>/revoke/", approval_views.delegation_revoke_view, name="delegation_revoke"),
    path("profile/tokens/", approval_views.token_new, name="token_new"),
    path("profile/tokens/<int:pk>/revoke/", approval_views.token_revoke_view, name="token_revoke"),
    path("healthz", health.healthz, name="healthz"),
    # browsers ask for /favicon.ico whatever the page links; the icon is the static one
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=SignInForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.language_switch, name="language_switch"),
    path("plan/", include("plan.urls")),
    path("plan/", include("workflows.drafting_urls")),
    path("plan/actuals/", include("workflows.actuals_urls")),
    path("notifications/", include("notifications.urls")),
    path("audit/", include("approvals.urls")),
    path("admin/", admin.site.urls),
    # the public plan: no sign-in, what has been issued and the public stages of revisions
    path("public/", include("workflows.public_urls")),
]
