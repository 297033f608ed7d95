"""The student edition keeps every exercise and drops every solution."""

import importlib.util
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("student_edition", ROOT / "scripts" / "student_edition.py")
student_edition = importlib.util.module_from_spec(spec)
spec.loader.exec_module(student_edition)

NOTEBOOKS = sorted(p for p in (ROOT / "chapters").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def test_gated_solution_spanning_cells_is_removed():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("```{exercise} One\n:label: ex-a\n\nDo it.\n```\n\n"
                                      "```{solution-start} ex-a\n:class: dropdown\n```\nSECRET prose"),
        nbformat.v4.new_code_cell("secret = 42"),
        nbformat.v4.new_markdown_cell("```{solution-end}\n```\n\n```{exercise} Two\n:label: ex-b\n\nAgain.\n```"),
        nbformat.v4.new_markdown_cell("````{solution} ex-b\n:class: dropdown\n\nSECRET block\n````\nafter"),
        nbformat.v4.new_code_cell("kept = 1"),
    ]
    out = student_edition.strip_notebook(nb)
    text = "\n".join(c.source for c in out.cells)
    assert "SECRET" not in text and "secret = 42" not in text
    assert "{exercise} One" in text and "{exercise} Two" in text and "after" in text and "kept = 1" in text


def test_unterminated_solution_is_an_error():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("```{solution-start} ex-a\n:class: dropdown\n```\nno end")]
    with pytest.raises(ValueError, match="no matching"):
        student_edition.strip_notebook(nb)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_book_notebooks_lose_all_solutions_and_keep_all_exercises(path):
    nb = nbformat.read(path, as_version=4)
    exercises = sum(c.source.count("{exercise}") for c in nb.cells if c.cell_type == "markdown")
    out = student_edition.strip_notebook(nb)
    text = "\n".join(c.source for c in out.cells if c.cell_type == "markdown")
    assert "{solution" not in text
    assert text.count("{exercise}") == exercises > 0
