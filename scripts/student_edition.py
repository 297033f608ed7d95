"""Write the student edition's sources: the book with every exercise solution removed.

Usage: python scripts/student_edition.py OUTPUT_DIR

Copies the book to OUTPUT_DIR and deletes, from every notebook and MyST page, each
gated solution (``{solution-start}`` ... ``{solution-end}``, together with the code
cells between them) and each ``{solution}`` block; `make student` then builds it.
sphinx-exercise's own ``hide_solutions`` cannot do this: it leaves the code cells of a
gated solution on the page (and, in sphinx-exercise 1.2, crashes on their end marker).
"""

import re
import shutil
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
START = re.compile(r"^```\{solution-start\}.*?^```[ \t]*$\n?", re.M | re.S)
END = re.compile(r"^```\{solution-end\}[ \t]*\n```[ \t]*$\n?", re.M)
BLOCK = re.compile(r"^(`{3,})\{solution\}.*?^\1[ \t]*$\n?", re.M | re.S)


def strip_markdown(text, inside):
    """Remove solution spans from ``text``; ``inside`` says whether a gated solution is open
    when the text begins. Returns the kept text and whether one is still open at its end."""
    kept = []
    while text:
        if inside:
            end = END.search(text)
            if end is None:
                return "".join(kept), True
            text, inside = text[end.end():], False
        else:
            start = START.search(text)
            if start is None:
                kept.append(text)
                break
            kept.append(text[: start.start()])
            text, inside = text[start.end():], True
    return BLOCK.sub("", "".join(kept)), inside


def strip_notebook(nb):
    """The notebook without solutions (markdown spans and the code cells inside them)."""
    cells, inside = [], False
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source, inside = strip_markdown(cell.source, inside)
            if cell.source.strip():
                cells.append(cell)
        elif not inside:
            cells.append(cell)
    if inside:
        raise ValueError("a {solution-start} has no matching {solution-end}")
    nb.cells = cells
    return nb


def main(out):
    out = Path(out).resolve()
    if out.exists():
        shutil.rmtree(out)
    ignore = shutil.ignore_patterns("_build", ".venv", ".git", "__pycache__", ".ipynb_checkpoints")
    shutil.copytree(ROOT, out, ignore=ignore)
    for path in out.rglob("*.ipynb"):
        nbformat.write(strip_notebook(nbformat.read(path, as_version=4)), path)
    for path in out.rglob("*.md"):
        text, open_solution = strip_markdown(path.read_text(), False)
        if open_solution:
            raise ValueError(f"{path}: a {{solution-start}} has no matching {{solution-end}}")
        path.write_text(text)
    config = yaml.safe_load((out / "_config.yml").read_text())
    config["title"] += " (student edition)"
    (out / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))


if __name__ == "__main__":
    main(sys.argv[1])
