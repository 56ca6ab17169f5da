"""The public plan: no sign-in, read-only, cached. Thin views over `workflows.public_selectors`."""

import hashlib

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_http_methods

from core.jalali import normalize_persian
from plan.selectors import diff_display, plan_tree, version_in_force, versions_diff
from workflows.public_selectors import letter_by_number, public_plan, public_revisions, public_versions

YEAR = 365 * 24 * 3600
MAX_UPLOAD = 20 * 1024 * 1024


def _plan():
    plan = public_plan()
    if plan is None:
        raise Http404(_("There is no plan yet."))
    return plan


@cache_control(public=True, max_age=300)
def home(request):
    plan = _plan()
    version = version_in_force(plan)
    query = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "workflows/public/home.html",
        {
            "plan": plan,
            "version": version,
            "tree": plan_tree(version, query=query) if version else [],
            "query": query,
            "versions": public_versions(plan),
            "revisions": public_revisions(plan),
        },
    )


def _version(number):
    version = _plan().versions.select_related("letter").filter(number=number).first()
    if version is None:
        raise Http404(_("No such version."))
    return version


# an issued version never changes: its pages and letter are cached for long, validated by fingerprint
@cache_control(public=True, max_age=YEAR, immutable=True)
@condition(etag_func=lambda request, number: _version(number).fingerprint)
def version_page(request, number):
    version = _version(number)
    previous = version.plan.versions.filter(number__lt=number).order_by("-number").first()
    entries = diff_display(versions_diff(previous, version)) if previous else []
    return render(
        request, "workflows/public/version.html", {"version": version, "previous": previous, "entries": entries}
    )


@cache_control(public=True, max_age=YEAR, immutable=True)
@condition(etag_func=lambda request, number: getattr(getattr(_version(number), "letter", None), "sha256", None))
def letter_pdf(request, number):
    letter = getattr(_version(number), "letter", None)
    if letter is None:
        raise Http404(_("This version has no letter."))
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="letter-v{number}.pdf"'
    return response


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("Letter number"), max_length=100)
    pdf = forms.FileField(label=_("The letter you hold (PDF, optional)"), required=False)

    def clean_pdf(self):
        upload = self.cleaned_data.get("pdf")
        if upload and upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("a letter is smaller than 20 MB"))
        return upload


@require_http_methods(["GET", "POST"])
def verify(request, number=None):
    """Whether a letter was issued by this municipality: its number (typed or from its QR code), and
    optionally the file itself, compared byte for byte through its SHA-256."""
    data = request.POST if request.method == "POST" else ({"number": number or request.GET.get("number", "")})
    form = VerifyForm(data, request.FILES or None) if data.get("number") else VerifyForm()
    context = {"form": form}
    if form.is_bound and form.is_valid():
        wanted = normalize_persian(form.cleaned_data["number"])
        letter = letter_by_number(wanted)
        context.update(number=wanted, letter=letter)
        upload = form.cleaned_data.get("pdf")
        if letter is not None and upload:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            context.update(uploaded=digest.hexdigest(), matches=digest.hexdigest() == letter.sha256)
    return render(request, "workflows/public/verify.html", context)
