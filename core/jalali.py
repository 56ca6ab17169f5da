"""Jalali (Solar Hijri) dates and Persian text at the edges: display, input parsing, plan years.

Inside, every time is an aware UTC datetime; these helpers convert only for people.
"""

import datetime as dt
import re

import jdatetime
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_ASCII = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS + "٫٬", "0123456789" * 2 + ".,")
_TO_PERSIAN = str.maketrans("0123456789", PERSIAN_DIGITS)
# Arabic yeh/kaf (and alef maksura) typed on Arabic keyboards become their Persian forms.
_TO_PERSIAN_LETTERS = str.maketrans({"ي": "ی", "ك": "ک", "ى": "ی"})
_DATE_RE = re.compile(r"^\s*(\d{4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*$")
_TIME_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


def ascii_digits(text: str) -> str:
    """Persian (۰–۹) and Arabic (٠–٩) digits and separators to ASCII."""
    return text.translate(_TO_ASCII)


def persian_digits(text) -> str:
    """ASCII digits to Persian ones, for display."""
    return str(text).translate(_TO_PERSIAN)


def tidy_text(text: str) -> str:
    """Free text as it is stored and shown: as typed (its digits kept, Persian or Latin), with the
    Arabic keyboard's ي and ك as the Persian ی and ک, no stray zero-width joiners at the ends, and
    no NUL characters (PostgreSQL cannot store them; a request can carry them)."""
    return text.translate(_TO_PERSIAN_LETTERS).replace("\x00", "").strip("\u200c \t\r\n")


def normalize_persian(text: str) -> str:
    """The form to search and compare by, and of identifiers (codes, letter and resolution numbers):
    ASCII digits, Persian ی and ک, trimmed. Never for storing what people wrote (see `tidy_text`)."""
    return tidy_text(ascii_digits(text))


# What a search treats as the same letter: the Arabic and Persian forms of ی, ک and ه, and alef
# with or without its hamza or madda; harakat, tatweel and the hamza above a final ه are dropped.
_SEARCH_LETTERS = str.maketrans(
    {"ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و"}
)
_SEARCH_DROPPED = re.compile("[\u064b-\u065f\u0670\u0640]")
# inside a word people type a zero-width non-joiner, a space, or nothing ("جمع‌آوری", "جمع آوری",
# "جمعآوری"): a search compares words with none of them. Every space and joiner is named, not
# `\s`: the database's folding (core.search) must read them alike whatever its locale.
SEARCH_SPACES = (
    "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
SEARCH_JOINERS = "\u200c\u200d\u200e\u200f"
_SEARCH_SEPARATORS = re.compile("[" + re.escape(SEARCH_SPACES + SEARCH_JOINERS) + "]+")
# lower case for Latin letters only, as the database does it in any locale (codes, English names)
_SEARCH_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def search_fold(text) -> str:
    """Text as a search compares it: any digits as ASCII, one form of each letter, no diacritics,
    Latin lower case, and no spaces or zero-width joiners at all (see `search_terms`)."""
    folded = _SEARCH_DROPPED.sub("", ascii_digits(str(text or "")).translate(_SEARCH_LETTERS))
    return _SEARCH_SEPARATORS.sub("", folded.translate(_SEARCH_LOWER))


def search_terms(query) -> list[str]:
    """The words of a query, folded: an item matches when its folded text holds every one, so
    "جمع آوری پسماند", "جمع‌آوری پسماند" and "جمعآوری" find the same items. At most ten words of
    at most 100 characters; punctuation alone is no word."""
    words = _SEARCH_SEPARATORS.split(ascii_digits(str(query or ""))[:100])
    terms = [search_fold(word) for word in words]
    return [term for term in terms if any(ch.isalnum() for ch in term)][:10]


def localize_digits(text, language: str | None = None) -> str:
    """Persian digits when the language is Persian, else unchanged; a word with Latin letters (a code
    such as EO3.6 or ACT-S1403, a fingerprint, a username) keeps its digits, as it is copied."""
    language = language or translation.get_language() or "fa"
    return localize_number_words(str(text)) if language.startswith("fa") else str(text)


_MARKUP = re.compile(r"(<[^>]*>|&#?[A-Za-z0-9]+;)")


def localize_digits_html(html: str, language: str | None = None) -> str:
    """Persian digits in the text of rendered HTML, never inside a tag or a character reference
    (`&#39;` stays a quote) nor in words with Latin letters (codes such as IND3.1.1, fingerprints,
    usernames: see `localize_number_words`). Unchanged outside the Persian interface."""
    language = language or translation.get_language() or "fa"
    if not language.startswith("fa"):
        return str(html)
    return "".join(
        part if _MARKUP.fullmatch(part) else localize_number_words(part) for part in _MARKUP.split(str(html))
    )


_LATIN_WORD = re.compile(r"\S*[A-Za-z]\S*")


def localize_number_words(text: str) -> str:
    """Persian digits in the words that are numbers, dates or amounts, not in those with Latin
    letters (codes such as IND3.1.1, fingerprints, usernames), which a reader copies as written."""
    parts, last = [], 0
    for word in _LATIN_WORD.finditer(text):
        parts += [persian_digits(text[last : word.start()]), word.group()]
        last = word.end()
    return "".join([*parts, persian_digits(text[last:])])


def to_jalali(value: dt.datetime | dt.date) -> jdatetime.datetime | jdatetime.date:
    """A Gregorian date, or an aware datetime shown in the local time zone, as Jalali."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return jdatetime.datetime.fromgregorian(datetime=value)
    return jdatetime.date.fromgregorian(date=value)


def format_jalali(value, *, with_time: bool = False, long: bool = False, language: str | None = None) -> str:
    """Display a date or datetime in Jalali: 1403/03/17, or 17 Khordad 1403 when long."""
    if value in (None, ""):
        return ""
    language = language or translation.get_language() or "fa"
    persian = language.startswith("fa")
    try:
        jvalue = to_jalali(value)
    except ValueError:  # before the calendar's epoch (622 AD): shown as stored, never a server error
        return value.isoformat()
    if long:
        month = (jdatetime.date.j_months_fa if persian else jdatetime.date.j_months_en)[jvalue.month - 1]
        text = f"{jvalue.day} {month} {jvalue.year}"
    else:
        text = f"{jvalue.year:04d}/{jvalue.month:02d}/{jvalue.day:02d}"
    if with_time and isinstance(jvalue, jdatetime.datetime):
        text += f" {jvalue.hour:02d}:{jvalue.minute:02d}"
    return persian_digits(text) if persian else text


def parse_jalali_date(text: str) -> dt.date:
    """Parse a Jalali date typed by a person (1403/3/17, ۱۴۰۳-۰۳-۱۷) into a Gregorian date."""
    match = _DATE_RE.match(normalize_persian(text or ""))
    if not match:
        raise ValidationError(
            _("Enter a Jalali date as year/month/day, for example 1403/03/17."), code="invalid_jalali_date"
        )
    year, month, day = (int(part) for part in match.groups())
    if not 1300 <= year <= 1600:  # a Gregorian date typed where a Jalali one is asked
        raise ValidationError(
            _("%(value)s is not a Jalali year: enter the date in the Jalali calendar, for example 1403/03/17."),
            code="invalid_jalali_date",
            params={"value": year},
        )
    try:
        return jdatetime.date(year, month, day).togregorian()
    except ValueError:
        raise ValidationError(
            _("%(value)s is not a day of the Jalali calendar."),
            code="invalid_jalali_date",
            params={"value": f"{year}/{month:02d}/{day:02d}"},
        ) from None


def parse_jalali_datetime(date_text: str, time_text: str = "") -> dt.datetime:
    """A Jalali date and an optional local time (HH:MM) as an aware UTC datetime."""
    day = parse_jalali_date(date_text)
    hour = minute = second = 0
    if time_text and time_text.strip():
        match = _TIME_RE.match(ascii_digits(time_text))
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise ValidationError(_("Enter a time as hours:minutes, for example 14:30."), code="invalid_time")
        hour, minute = int(match.group(1)), int(match.group(2))
        second = int(match.group(3) or 0)
    local = dt.datetime(day.year, day.month, day.day, hour, minute, second)
    return timezone.make_aware(local).astimezone(dt.UTC)


def jalali_year(value: dt.date | dt.datetime) -> int:
    """The Jalali year (and so the plan and fiscal year) a date falls in."""
    return to_jalali(value).year


def jalali_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """First and last Gregorian day of a Jalali year: 1 Farvardin to the end of Esfand."""
    first = jdatetime.date(year, 1, 1).togregorian()
    last = jdatetime.date(year + 1, 1, 1).togregorian() - dt.timedelta(days=1)
    return first, last
