from django.urls import path

from workflows import public_views as views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("versions/<int:number>/", views.version_page, name="version"),
    path("versions/<int:number>/letter.pdf", views.letter_pdf, name="letter"),
    path("indicators/", views.indicators, name="indicators"),
    path("changes.pdf", views.changes_pdf, name="changes_pdf"),
    path("verify/", views.verify, name="verify"),
    path("verify/<path:number>/", views.verify, name="verify_number"),
]
