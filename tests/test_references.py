"""The bibliography parses, and every citation in the book names an entry of it.

The book build finds the same faults, after minutes of notebook execution; these checks find
them in a second."""

import json
import re
from pathlib import Path

import pybtex.database
import pytest

ROOT = Path(__file__).resolve().parents[1]
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def cited_keys():
    """(page, key) for every {cite:...}`key1,key2` in the notebooks and Markdown pages."""
    found = []
    pages = [ROOT / "intro.md", *sorted(ROOT.glob("chapters/**/*.md")), *sorted(ROOT.glob("appendix/*.md"))]
    for page in pages:
        found += [(page.name, key.strip()) for keys in CITE.findall(page.read_text()) for key in keys.split(",")]
    for page in sorted(ROOT.glob("chapters/**/*.ipynb")):
        for cell in json.loads(page.read_text())["cells"]:
            source = "".join(cell["source"])
            found += [(page.name, key.strip()) for keys in CITE.findall(source) for key in keys.split(",")]
    return found


@pytest.fixture(scope="module")
def bibliography():
    return pybtex.database.parse_file(ROOT / "references.bib")


def test_every_entry_has_author_title_and_year(bibliography):
    assert len(bibliography.entries) > 50
    for key, entry in bibliography.entries.items():
        assert entry.persons.get("author"), f"{key} has no author"
        assert entry.fields.get("title") and re.fullmatch(r"\d{4}", entry.fields.get("year", "")), key


def test_every_citation_names_an_entry(bibliography):
    citations = cited_keys()
    assert len(citations) > 100  # the pattern finds the book's citations
    missing = sorted({(page, key) for page, key in citations if key not in bibliography.entries})
    assert not missing, f"cited but not in references.bib: {missing}"
