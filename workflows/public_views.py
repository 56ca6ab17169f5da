"""The public plan: no sign-in, read-only, cached. Thin views over `workflows.public_selectors`."""

from django import forms
from django.core.cache import caches
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_http_methods

from core.jalali import ascii_digits, normalize_persian
from plan.selectors import plan_tree, version_horizons, version_in_force
from workflows.letters import diff_pdf
from workflows.public_selectors import (
    letter_check,
    letter_expected,
    public_cities,
    public_indicators,
    public_plan,
    public_revisions,
    public_version,
    public_versions,
    version_before,
    version_changes,
)

YEAR = 365 * 24 * 3600
MAX_UPLOAD = 20 * 1024 * 1024


def _city(request) -> str:
    """The city whose plan is shown (`?city=<code>`, with several cities); the first by default."""
    return str(request.GET.get("city") or "")[:50]


def _render(request, template: str, context: dict, **kwargs):
    """A public page, its links keeping the city asked for."""
    city = _city(request)
    links = {"city_query": f"?city={city}" if city else "", "city_amp": f"&city={city}" if city else ""}
    return render(request, template, {**context, **links, "cities": public_cities()}, **kwargs)


def _plan(request):
    plan = public_plan(_city(request))
    if plan is None:
        raise Http404(_("There is no plan yet."))
    return plan


def _version(request, number):
    version = public_version(_plan(request), number)
    if version is None:
        raise Http404(_("No such version."))
    return version


@cache_control(public=True, max_age=300)
def home(request):
    plan = _plan(request)
    version = version_in_force(plan)
    query = request.GET.get("q", "").strip()[:100]
    return _render(
        request,
        "workflows/public/home.html",
        {
            "plan": plan,
            "version": version,
            # called only when the template's cache of this version's tree misses (Django calls a callable)
            "tree": (lambda: plan_tree(version, query=query)) if version else [],
            "query": query,
            "versions": public_versions(plan),
            "revisions": public_revisions(plan),
            "horizons": version_horizons(version) if version else None,
        },
    )


def _version_etag(request, number):
    version = _version(request, number)
    letter = getattr(version, "letter", None)
    return f"{version.fingerprint}-{letter.sha256 if letter else 'preparing'}"


# an issued version never changes: its page and letter are cached for long, validated by fingerprint;
# only in the seconds before its letter is made is the page kept briefly, so the link is not missed
@condition(etag_func=_version_etag)
def version_page(request, number):
    version = _version(request, number)
    previous = version_before(version)
    # computed only when the template's cache of this version's changes misses
    entries = lambda: version_changes(version, previous)  # noqa: E731
    letter = getattr(version, "letter", None)
    preparing = letter is None and letter_expected(version)
    response = _render(
        request,
        "workflows/public/version.html",
        {
            "version": version,
            "letter": letter,
            "preparing": preparing,
            "previous": previous,
            "entries": entries,
            "horizons": version_horizons(version),
        },
    )
    if preparing:
        patch_cache_control(response, public=True, max_age=30)
    else:
        patch_cache_control(response, public=True, max_age=YEAR, immutable=True)
    return response


@cache_control(public=True, max_age=YEAR, immutable=True)
@condition(
    etag_func=lambda request, number: getattr(getattr(_version(request, number), "letter", None), "sha256", None)
)
def letter_pdf(request, number):
    letter = getattr(_version(request, number), "letter", None)
    if letter is None:
        raise Http404(_("This version has no letter."))
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="letter-v{number}.pdf"'
    return response


@cache_control(public=True, max_age=300)
def indicators(request):
    plan = _plan(request)
    version = version_in_force(plan)
    if version is None:
        raise Http404(_("There is no plan yet."))
    first, last = version_horizons(version)["operational"]
    years = list(range(first, last + 1))
    # computed only when the template's cache of this version's table misses
    outputs = lambda: public_indicators(version)  # noqa: E731
    return _render(
        request, "workflows/public/indicators.html", {"version": version, "years": years, "outputs": outputs}
    )


def _pair(request):
    try:
        old, new = (_version(request, int(ascii_digits(request.GET.get(key, "")))) for key in ("from", "to"))
    except ValueError:
        raise Http404(_("No such version.")) from None
    return old, new


@cache_control(public=True, max_age=YEAR, immutable=True)
@condition(etag_func=lambda request: "-".join(v.fingerprint[:32] for v in _pair(request)))
def changes_pdf(request):
    """What changed between any two issued versions, as a PDF (made once per pair and process)."""
    old, new = _pair(request)
    key = f"changes-pdf:{old.fingerprint}:{new.fingerprint}"
    pdf = caches["public"].get(key)
    if pdf is None:
        pdf = diff_pdf(old, new)
        caches["public"].set(key, pdf)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="changes-v{old.number}-v{new.number}.pdf"'
    return response


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("Letter number"), max_length=100)
    pdf = forms.FileField(label=_("The letter you hold (PDF, optional)"), required=False)

    def clean_number(self):
        return normalize_persian(self.cleaned_data["number"])  # an identifier, as stored

    def clean_pdf(self):
        upload = self.cleaned_data.get("pdf")
        if upload and upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("a letter is smaller than 20 MB"))
        return upload


@require_http_methods(["GET", "POST"])
def verify(request, number=None):
    """A letter's number typed, opened from its QR code, or sent with the file itself."""
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
    else:
        number = number or request.GET.get("number")
        form = VerifyForm({"number": number}) if number else VerifyForm()
    check = None
    if form.is_valid():
        check = letter_check(form.cleaned_data["number"], form.cleaned_data.get("pdf"), city=_city(request))
    return _render(request, "workflows/public/verify.html", {"form": form, "check": check})
