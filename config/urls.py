from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.language_switch, name="language_switch"),
    path("plan/", include("plan.urls")),
    path("notifications/", include("notifications.urls")),
    path("admin/", admin.site.urls),
]
