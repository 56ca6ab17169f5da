"""What an uploaded file is, read from its bytes (libmagic, the library behind file(1)), and a name
safe to show and to send back: the two checks every attachment passes before anything is stored."""

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

import magic

# libmagic reads at most this much of a file; office documents (zip) need their directory, which
# their writers put near the start
SNIFF_BYTES = 1024 * 1024
NAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class Sniffed:
    content_type: str  # what the bytes are, e.g. "application/pdf"
    sha256: str
    size: int


def sniff(upload) -> Sniffed:
    """Hash and size a Django upload chunk by chunk, and type it from its first bytes. The upload is
    left at its start, ready to be stored."""
    upload.seek(0)
    digest, size, head = hashlib.sha256(), 0, bytearray()
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
        if len(head) < SNIFF_BYTES:
            head.extend(chunk[: SNIFF_BYTES - len(head)])
    upload.seek(0)
    content_type = magic.from_buffer(bytes(head), mime=True) if head else "application/x-empty"
    return Sniffed(content_type=content_type, sha256=digest.hexdigest(), size=size)


def clean_file_name(raw: str) -> str:
    """The last part of a name as a browser sent it (no folders, either slash), in NFC, without
    control or format characters other than the zero-width non-joiner Persian needs, trimmed to a
    length the database keeps with its ending intact. Empty when nothing is left."""
    name = PureWindowsPath(PurePosixPath(raw or "").name).name
    name = unicodedata.normalize("NFC", name)
    name = "".join(
        ch for ch in name if ch == "\u200c" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")
    )
    name = name.strip().strip(".").strip()
    if len(name) > NAME_MAX_LENGTH:
        stem, dot, ending = name.rpartition(".")
        ending = ending if dot and len(ending) <= 10 else ""
        name = stem[: NAME_MAX_LENGTH - len(ending) - 1] + "." + ending if ending else name[:NAME_MAX_LENGTH]
    return name


def name_ending(name: str) -> str:
    """The name's ending, lower case with its dot ("" when it has none)."""
    return PurePosixPath(name).suffix.lower()
