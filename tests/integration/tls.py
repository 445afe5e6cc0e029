"""Test-time TLS material made with openssl: a CA, and certificates it signs.

Everything is PEM, which both sides read as it is: Python's ``ssl`` (the newsflow
clients) and Kafka 4 (``ssl.keystore.type=PEM`` / ``ssl.truststore.type=PEM``), so no
Java keystore has to be built. Keys are unencrypted PKCS#8 and live only in a test's
temporary directory.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CertificateAuthority", "IssuedCertificate", "make_ca"]


def _openssl(*args: str, cwd: Path) -> None:
    result = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def _new_key(path: Path) -> None:
    _openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", str(path), cwd=path.parent)


@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    """A certificate and its key; ``keystore`` holds both, as ``ssl.keystore.type=PEM`` reads them."""

    certfile: Path
    keyfile: Path
    keystore: Path


@dataclass(frozen=True, slots=True)
class CertificateAuthority:
    """A self-signed CA in ``directory``; :meth:`issue` signs leaf certificates."""

    name: str
    directory: Path

    @property
    def certfile(self) -> Path:
        return self.directory / f"{self.name}.crt"

    @property
    def keyfile(self) -> Path:
        return self.directory / f"{self.name}.key"

    def issue(self, name: str, *, sans: tuple[str, ...] = (), client: bool = False) -> IssuedCertificate:
        """Sign a new certificate for ``CN=name``.

        Args:
            sans: subjectAltName entries, e.g. ``("IP:127.0.0.1", "DNS:localhost")``.
            client: for client authentication (else for a server).
        """
        key, csr, cert = (self.directory / f"{name}.{ext}" for ext in ("key", "csr", "crt"))
        _new_key(key)
        _openssl("req", "-new", "-key", str(key), "-subj", f"/CN={name}", "-out", str(csr), cwd=self.directory)
        extensions = self.directory / f"{name}.ext"
        lines = [
            "basicConstraints=critical,CA:FALSE",
            "keyUsage=critical,digitalSignature,keyEncipherment",
            f"extendedKeyUsage={'clientAuth' if client else 'serverAuth,clientAuth'}",
        ]
        if sans:
            lines.append("subjectAltName=" + ",".join(sans))
        extensions.write_text("\n".join(lines) + "\n")
        _openssl(
            "x509", "-req", "-in", str(csr), "-CA", str(self.certfile), "-CAkey", str(self.keyfile),
            "-CAcreateserial", "-days", "2", "-sha256", "-extfile", str(extensions), "-out", str(cert),
            cwd=self.directory,
        )  # fmt: skip
        keystore = self.directory / f"{name}.keystore.pem"
        keystore.write_text(key.read_text() + cert.read_text())
        return IssuedCertificate(certfile=cert, keyfile=key, keystore=keystore)


def make_ca(directory: Path, name: str) -> CertificateAuthority:
    """A new self-signed certificate authority named ``name`` in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    ca = CertificateAuthority(name, directory)
    _new_key(ca.keyfile)
    _openssl(
        "req", "-x509", "-new", "-key", str(ca.keyfile), "-subj", f"/CN={name}", "-days", "2", "-sha256",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-out", str(ca.certfile),
        cwd=directory,
    )  # fmt: skip
    return ca
