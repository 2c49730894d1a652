"""Signing archival copies as PAdES (ETSI EN 319 142-1, baseline B-B) with the provider's certificate, by pyHanko.

The key and certificate are server settings:

- REVIEWAPP_SIGNING_KEY and REVIEWAPP_SIGNING_CERT: PEM (or DER) files of the provider's private key and
  certificate; REVIEWAPP_SIGNING_CHAIN optionally names a file of intermediate certificates to embed, and
  REVIEWAPP_SIGNING_KEY_PASSPHRASE the key's passphrase if it has one. The key file must not be readable by other
  users of the machine (the same rule as ssh's): a readable one is refused, with the command that fixes it.
- Without them (the demo, and the embedded server of the desktop app), a self-signed certificate is made on first
  use, named for the provider, in REVIEWAPP_SIGNING_DIR (default: `signing/` in the server's data directory,
  `platformdirs.user_data_path("reviewapp-server")`, e.g. ~/.local/share/reviewapp-server/signing on Linux). The
  folder is made 0700 and the key written 0600 by the server's own user: it is kept unencrypted there, since a
  passphrase would have to be kept beside it, so the operating system's file permissions are what protect it.
  A self-signed signature shows that a copy has not changed since it was signed, but not who signed it: a
  provider configures its own certificate (from its CA) for copies anyone outside can trust.

Only B-B: a signature timestamp (B-T) needs a time-stamping authority reachable over the network, and none can be
reached from this server's setting (nor from the tests), so none is asked for; the signing time is the signer's
claim in the signature dictionary, as B-B allows.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import logging
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR
from pyhanko.sign import fields, signers

from ..core.config import APP_NAME

SIGNING_KEY_ENV = "REVIEWAPP_SIGNING_KEY"
SIGNING_CERT_ENV = "REVIEWAPP_SIGNING_CERT"
SIGNING_CHAIN_ENV = "REVIEWAPP_SIGNING_CHAIN"
SIGNING_PASSPHRASE_ENV = "REVIEWAPP_SIGNING_KEY_PASSPHRASE"
SIGNING_DIR_ENV = "REVIEWAPP_SIGNING_DIR"
DEMO_KEY, DEMO_CERT = "demo-signing-key.pem", "demo-signing-cert.pem"
FIELD_NAME = "ProviderSignature"
#: The Producer the signer writes into the XMP on signing (see pdfa.to_pdfa's `producer`).
PRODUCER = VENDOR
#: How long the self-signed demo certificate is valid: longer than the six years a copy is kept.
DEMO_YEARS = 10

log = logging.getLogger(__name__)


class SigningError(RuntimeError):
    """The provider's key or certificate cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class SigningSettings:
    key: Path | None = None
    cert: Path | None = None
    chain: Path | None = None
    passphrase: str | None = None
    folder: Path | None = None

    @classmethod
    def from_env(cls) -> SigningSettings:
        env = os.environ.get

        def path(name: str) -> Path | None:
            return Path(env(name, "")) if env(name) else None

        return cls(key=path(SIGNING_KEY_ENV), cert=path(SIGNING_CERT_ENV), chain=path(SIGNING_CHAIN_ENV),
                   passphrase=env(SIGNING_PASSPHRASE_ENV) or None, folder=path(SIGNING_DIR_ENV))

    @property
    def demo_folder(self) -> Path:
        return self.folder or platformdirs.user_data_path(APP_NAME, appauthor=False) / "signing"


@dataclass(frozen=True)
class ProviderSigner:
    """A loaded key and certificate, ready to sign copies."""

    signer: signers.SimpleSigner
    #: The certificate's subject as words ("CN=..., O=..."), and its SHA-256 fingerprint (hex): stored with each copy.
    subject: str
    fingerprint: str
    self_signed_demo: bool

    def sign(self, pdf: bytes, *, reason: str, location: str = "") -> bytes:
        """`pdf` with a PAdES B-B signature over all of it, as an incremental update (the PDF/A file is kept).

        pyHanko's `sign_pdf` runs its own asyncio loop, which cannot start in a thread that already runs one (a job
        queue's worker, an async route): there the signing runs in a thread of its own."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return self._sign(pdf, reason, location)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reviewapp-sign") as pool:
            return pool.submit(self._sign, pdf, reason, location).result()

    def _sign(self, pdf: bytes, reason: str, location: str) -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason, location=location or None,
        )
        return signers.sign_pdf(writer, meta, signer=self.signer).getvalue()


def load_signer(settings: SigningSettings | None = None, provider_name: str = "") -> ProviderSigner:
    """The provider's signer from the settings, else the demo's self-signed one (made on first use)."""
    settings = settings or SigningSettings.from_env()
    if settings.key or settings.cert:
        if not (settings.key and settings.cert):
            raise SigningError(f"Set both {SIGNING_KEY_ENV} and {SIGNING_CERT_ENV} (the provider's private key and "
                               "its certificate), or neither to sign with a self-signed demo certificate.")
        return _load(settings.key, settings.cert, settings.chain, settings.passphrase, demo=False)
    key, cert = _demo_files(settings.demo_folder, provider_name)
    return _load(key, cert, None, None, demo=True)


def _check_private(path: Path) -> None:
    if os.name != "posix":
        return
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXO | stat.S_IWGRP):
        raise SigningError(f"The signing key {path} can be read or changed by other users of this machine; the "
                           f"server will not sign with it. Run: chmod 600 {path}")


def _load(key: Path, cert: Path, chain: Path | None, passphrase: str | None, *, demo: bool) -> ProviderSigner:
    for path in (key, cert, *([chain] if chain else [])):
        if not path.is_file():
            raise SigningError(f"The signing file {path} does not exist; check {SIGNING_KEY_ENV}, "
                               f"{SIGNING_CERT_ENV} and {SIGNING_CHAIN_ENV}.")
    _check_private(key)
    loaded = signers.SimpleSigner.load(str(key), str(cert), ca_chain_files=(str(chain),) if chain else None,
                                       key_passphrase=passphrase.encode() if passphrase else None)
    if loaded is None:
        raise SigningError(f"The signing key {key} or certificate {cert} could not be read (a wrong passphrase "
                           f"in {SIGNING_PASSPHRASE_ENV}, or not PEM/DER files).")
    certificate = x509.load_der_x509_certificate(loaded.signing_cert.dump())
    return ProviderSigner(loaded, certificate.subject.rfc4514_string(),
                          hashlib.sha256(loaded.signing_cert.dump()).hexdigest(), demo)


def _demo_files(folder: Path, provider_name: str) -> tuple[Path, Path]:
    """The self-signed key and certificate in `folder`, made now if they are not there yet."""
    key_path, cert_path = folder / DEMO_KEY, folder / DEMO_CERT
    if key_path.is_file() and cert_path.is_file():
        return key_path, cert_path
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        folder.chmod(0o700)
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    provider = (provider_name or "ReviewApp demo").strip()
    name = x509.Name([  # X.509 caps each at 64 characters
        x509.NameAttribute(NameOID.COMMON_NAME, f"{provider[:45].rstrip()} (self-signed demo)"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "ReviewApp archive signing"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, provider[:64]),
    ])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365 * DEMO_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    # Written 0600 from the start (never readable by others, even for a moment), then moved into place.
    partial = key_path.with_suffix(".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    os.replace(partial, key_path)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    log.info("Made a self-signed demo signing certificate in %s", folder)
    return key_path, cert_path
