"""The key pair of the union's backups (age, X25519).

The portal's machine holds only the public key (PORTAL_BACKUP_RECIPIENT): it can write a backup
but never read one. The private key is made once, kept by the union away from that machine
(a password manager, a safe), and given to `restore` only when a backup is brought back.
"""

from __future__ import annotations

import os
from pathlib import Path

from pyrage import x25519

from services.errors import InvalidInput

DEMO_IDENTITY_FILE = "demo-backup-identity.txt"


def generate(identity_file: Path) -> str:
    """Write a new private key to `identity_file` (readable by its owner only); the public key."""
    if identity_file.exists():
        raise InvalidInput(f"Filen {identity_file.name} finnes fra før; velg en ny fil, så ingen nøkkel overskrives.")
    identity = x25519.Identity.generate()
    public = str(identity.to_public())
    descriptor = os.open(identity_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as fh:
        fh.write(f"# Trekklisteportalen: privat nøkkel for sikkerhetskopiene\n# offentlig nøkkel: {public}\n")
        fh.write(f"{identity}\n")
    return public


def load_identity(identity_file: Path) -> x25519.Identity:
    """The private key in an identity file (as `generate` or age-keygen writes it)."""
    try:
        lines = identity_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as problem:
        raise InvalidInput(f"Nøkkelfilen {identity_file.name} kan ikke leses.") from problem
    for line in lines:
        if line.strip().startswith("AGE-SECRET-KEY-"):
            try:
                return x25519.Identity.from_str(line.strip())
            except Exception as problem:  # noqa: BLE001 - pyrage's IdentityError
                raise InvalidInput(f"Nøkkelfilen {identity_file.name} har ingen gyldig privat nøkkel.") from problem
    raise InvalidInput(f"Nøkkelfilen {identity_file.name} har ingen privat nøkkel (AGE-SECRET-KEY-…).")


def demo_recipient(data_dir: Path) -> str:
    """Demo mode backs up with a key pair of its own in the data folder; a real portal never keeps
    the private key beside the backups."""
    identity_file = data_dir / DEMO_IDENTITY_FILE
    if not identity_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        return generate(identity_file)
    return str(load_identity(identity_file).to_public())
