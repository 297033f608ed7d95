"""Notebook hygiene: the house rules of DESIGN.md that a machine can check.

Stored without outputs, listed in the table of contents, the Colab install cell first
(naming the repository of _config.yml), at least one hidden assertion cell, a
definition or theorem block, exercises with gated dropdown solutions, and every glued
number that the prose quotes actually glued.
"""

import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT / "chapters").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def toc_files(entries):
    for entry in entries:
        if "file" in entry:
            yield entry["file"]
        for key in ("chapters", "sections", "parts"):
            yield from toc_files(entry.get(key, []))


TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
TOC_FILES = {TOC["root"], *toc_files(TOC.get("parts", []))}


def ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


def markdown(nb):
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found under chapters/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
class TestNotebook:
    def load(self, path):
        return nbformat.read(path, as_version=4)

    def test_valid_and_without_outputs(self, path):
        nb = self.load(path)
        nbformat.validate(nb)
        stored = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
        assert not stored, f"cells {stored} have stored outputs; clear them (the build executes notebooks)"

    def test_in_table_of_contents(self, path):
        assert str(path.relative_to(ROOT).with_suffix("")) in TOC_FILES, "add the notebook to _toc.yml"

    def test_chapter_has_index_in_toc(self, path):
        index = path.parent / "index.md"
        assert index.exists(), f"{path.parent.name} has no index.md"
        assert str(index.relative_to(ROOT).with_suffix("")) in TOC_FILES

    def test_first_cell_installs_package_in_colab(self, path):
        first = self.load(path).cells[0]
        assert first.cell_type == "code" and "remove-cell" in first.metadata.get("tags", [])
        assert "google.colab" in first.source and "%pip install" in first.source
        url = CONFIG["repository"]["url"]
        assert f"git+{url}" in first.source, f"the install cell must name the book's repository {url}"

    def test_has_hidden_assertion_cell(self, path):
        cells = self.load(path).cells[1:]
        checks = [c for c in cells if c.cell_type == "code" and "remove-cell" in c.metadata.get("tags", [])
                  and re.search(r"^\s*assert\b", c.source, re.M)]
        assert checks, "no remove-cell cell asserts the numbers the text relies on"

    def test_states_a_definition_or_theorem(self, path):
        assert re.search(r"```\{prf:(definition|theorem|proposition|lemma)\}", markdown(self.load(path)))

    def test_exercises_have_gated_dropdown_solutions(self, path):
        text = markdown(self.load(path))
        exercises = re.findall(r"```\{exercise\}.*\n:label: (\S+)", text)
        assert exercises, "end the page with at least one exercise"
        starts = re.findall(r"```\{solution-start\} (\S+)\n:class: dropdown", text)
        assert starts == exercises, f"each exercise needs one dropdown solution, in order: {exercises} vs {starts}"
        assert text.count("```{solution-end}") == len(starts), "every solution-start needs a solution-end"

    def test_every_quoted_number_is_glued(self, path):
        nb = self.load(path)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        glued = set(re.findall(r"glue\(\s*[\"']([\w-]+)[\"']", code))
        roles = re.findall(r"\{glue(?::\w+)?\}`([^`]*)`", markdown(nb))
        malformed = [r for r in roles if not re.fullmatch(r"[\w-]+(:[^`{}\s]+)?", r)]
        assert not malformed, f"malformed glue roles (expected key or key:format): {malformed}"
        quoted = {r.split(":")[0] for r in roles}
        assert quoted <= glued, f"the prose quotes {sorted(quoted - glued)}, which no cell glues"
        assert glued <= quoted, f"glued but never quoted: {sorted(glued - quoted)}"
