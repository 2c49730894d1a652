"""Checking a printed copy of a signed review (issue 17 item 4): its fingerprint, the address in its QR code, and
reading either back. One implementation, for the PDF that prints them, the server's verify page and endpoint, and the
laptop's `reviewapp verify`.

Which copy: each copy carries its own fingerprint, `copy_fingerprint(content_hash, copy)`, a SHA-256 over the review's
content hash and the copy's name. The QR and the printed reference carry only the review id and that fingerprint
(`https://<server>/verify/<id>?h=<fingerprint>`), and the checker finds which of the three copies it is by working out
all three from the content hash it holds. Why not a `copy=` in the address: nothing would bind it, so an employer's
copy (which leaves out what is confidential to the learner) could be passed off as the learner's by editing one word
of the address; with the copy inside the fingerprint, editing the copy's name is an altered copy. A copy printed
before copies were told apart carries the content hash itself; that still checks, as a copy that does not say which.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, quote, urlsplit

CopyName = Literal["learner", "employer", "provider"]
COPIES: tuple[CopyName, ...] = ("learner", "employer", "provider")
#: The QR of a copy printed with no verify address known (a laptop that never synced), and of every copy before
#: issue 17: `reviewapp:review:<id>:sha256:<hash>`.
REFERENCE_PREFIX = "reviewapp:review:"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_ID = r"[0-9A-Za-z][0-9A-Za-z-]{0,35}"
_REFERENCE = re.compile(rf"reviewapp:review:({_ID}):sha256:([0-9a-fA-F]{{64}})")
_URL = re.compile(rf"https?://[^\s/]+(?:/[^\s?]*)?/verify/({_ID})\?h=([0-9a-fA-F]{{64}})")
#: What the printed closing block says, so the reference reads back from the text alone (pypdf) when no QR does.
PRINTED_ID = re.compile(rf"Review id:\s*({_ID})")
PRINTED_FINGERPRINT = re.compile(r"Copy fingerprint:\s*([0-9a-fA-F\s]{64,80})")

Status = Literal["genuine", "altered", "unknown"]


def copy_fingerprint(content_hash: str, copy: CopyName) -> str:
    """The fingerprint printed on `copy` of the review whose content hash is `content_hash` (hex SHA-256)."""
    if copy not in COPIES:
        raise ValueError(f"unknown copy {copy!r}")
    return hashlib.sha256(f"reviewapp-copy:v1:{copy}:{content_hash}".encode("ascii")).hexdigest()


def matching_copy(content_hash: str, fingerprint: str) -> tuple[bool, CopyName | None]:
    """Whether `fingerprint` belongs to this content hash, and for which copy (None: a copy printed before copies
    were told apart, which carries the content hash itself). Compared in constant time."""
    given = fingerprint.strip().lower()
    if not _HEX64.match(given) or not _HEX64.match(content_hash or ""):
        return False, None
    found: CopyName | None = None
    for copy in COPIES:
        if hmac.compare_digest(copy_fingerprint(content_hash, copy), given):
            found = copy
    if found is not None:
        return True, found
    return hmac.compare_digest(content_hash, given), None


def verify_url(address: str, review_id: str, fingerprint: str) -> str:
    """`<address>/verify/<review id>?h=<fingerprint>`, the address being the provider's public one."""
    return f"{address.rstrip('/')}/verify/{quote(review_id, safe='-')}?h={fingerprint}"


def public_address_problem(address: str) -> str | None:
    """Why `address` cannot be the public address printed on copies, or None: an http(s) address with a host,
    nothing after its path (the verify path and query are added)."""
    parts = urlsplit(address.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "it must be a web address starting https:// (for example https://reviews.example.ac.uk)"
    if parts.query or parts.fragment or parts.username or parts.password:
        return "it must be only the server's address, with no query, fragment or user name"
    if len(address) > 200:
        return "it must be at most 200 characters"
    return None


def qr_value(address: str | None, review_id: str, fingerprint: str) -> str:
    """What a copy's QR code holds: the verify address when one is known, else the plain reference."""
    if address:
        return verify_url(address, review_id, fingerprint)
    return f"{REFERENCE_PREFIX}{review_id}:sha256:{fingerprint}"


@dataclass(frozen=True)
class Reference:
    """A review id and fingerprint read from a copy (its QR code, or its printed text)."""

    review_id: str
    fingerprint: str
    url: str | None = None  # the address in the QR, when it held one


def parse_reference(value: str) -> Reference | None:
    """The reference in a QR code's text (a verify address or `reviewapp:review:...`), or None."""
    value = value.strip()
    url = _URL.search(value)
    if url:
        return Reference(url.group(1), url.group(2).lower(), url.group(0))
    plain = _REFERENCE.search(value)
    if plain:
        return Reference(plain.group(1), plain.group(2).lower())
    parts = urlsplit(value)
    if parts.path.rstrip("/").rsplit("/", 2)[-2:-1] == ["verify"]:  # a verify address with its parts in any order
        fingerprint = (parse_qs(parts.query).get("h") or [""])[0]
        if _HEX64.match(fingerprint.lower()):
            return Reference(parts.path.rstrip("/").rsplit("/", 1)[-1], fingerprint.lower(), value)
    return None


def printed_reference(text: str) -> Reference | None:
    """The reference from a copy's printed closing block ("Review id: ...", "Copy fingerprint: ...")."""
    review_id = PRINTED_ID.search(text)
    fingerprint = PRINTED_FINGERPRINT.search(text)
    if not review_id or not fingerprint:
        return None
    digits = "".join(fingerprint.group(1).split())[:64].lower()
    return Reference(review_id.group(1), digits) if _HEX64.match(digits) else None


def initials(first_name: str, last_name: str) -> str:
    """"A. B." from a learner's names: all a verify answer says about who the review is of."""
    letters = [part.strip()[:1].upper() for part in (first_name, last_name) if part and part.strip()]
    return " ".join(f"{letter}." for letter in letters) or "—"
