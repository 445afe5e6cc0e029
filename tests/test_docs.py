"""The documentation: a short README that points at every page of ``docs/``, and pages that
build without a warning, as ``make docs`` builds them (a link to a missing page or heading,
or a page left out of the index, fails here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
DOCS = REPO / "docs"
#: Issue #19: a README a newcomer reads in five minutes.
MOST_README_LINES = 249

_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)\s]*)?\)")


def docs_pages() -> list[str]:
    """Every page of ``docs/``, as a path from the repository root."""
    pages = sorted(p.relative_to(REPO).as_posix() for p in DOCS.rglob("*.md"))
    assert pages, "docs/ has no page"
    return pages


def readme_link_targets() -> set[str]:
    """The repository paths README.md links to (web addresses left out)."""
    return {t for t in _LINK.findall(README.read_text(encoding="utf-8")) if "://" not in t}


def test_the_docs_build_without_a_warning(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-E", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(DOCS), str(tmp_path / "site")],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"make docs would fail:\n{result.stderr}{result.stdout}"
    assert (tmp_path / "site" / "index.html").is_file()


def test_the_readme_stays_under_250_lines() -> None:
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines <= MOST_README_LINES, f"README.md has {lines} lines; move the detail to a page of docs/"


def test_the_readme_links_every_docs_page() -> None:
    targets = readme_link_targets()
    unlinked = [page for page in docs_pages() if page not in targets]
    assert not unlinked, f"docs pages README.md does not link: {unlinked}"


def test_every_file_the_readme_links_exists() -> None:
    missing = sorted(t for t in readme_link_targets() if not (REPO / t).exists())
    assert not missing, f"README.md links to files that do not exist: {missing}"
