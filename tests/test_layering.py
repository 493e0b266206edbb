"""The layering is checked, not only drawn (issue 24): `lint-imports` (in `make lint`) keeps the
contracts in pyproject.toml, and refuses a copy of the code with one arrow up, Streamlit in the
services, or a database engine in the pages."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

BAD_IMPORTS = [
    # The register reaching up into the life of a list, which reconciles against it.
    ("services/register/engine.py", "from services.lists import submissions", "services: every import points down"),
    ("services/money.py", "import streamlit", "services: no Streamlit, no pages"),
    ("pages/ui/brief.py", "import duckdb", "pages: no database engine"),
    ("services/audit.py", "import psycopg", "services: the database engines only in the store's modules"),
]


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "portal"
    ignore = shutil.ignore_patterns("__pycache__")
    for folder in ("services", "pages"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def _lint_imports(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=folder, capture_output=True, text=True, check=False, timeout=300
    )


def test_the_code_keeps_every_contract(tmp_path):
    done = _lint_imports(_copy(tmp_path))
    assert done.returncode == 0, done.stdout
    assert "Contracts: 4 kept, 0 broken." in done.stdout


@pytest.mark.parametrize(("module", "line", "contract"), BAD_IMPORTS, ids=[b[2] for b in BAD_IMPORTS])
def test_one_bad_import_breaks_its_contract(tmp_path, module, line, contract, figure):
    copy = _copy(tmp_path)
    target = copy / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    done = _lint_imports(copy)
    assert done.returncode != 0
    assert f"{contract} BROKEN" in done.stdout
    assert done.stdout.count("BROKEN") == 1, done.stdout
    figure(f"layering: «{line}» in {module} refused by «{contract}»")
