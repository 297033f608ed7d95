"""Shared pytest setup for the tests of gtml_utils.

- The repository root goes on ``sys.path``, so the tests import the ``gtml_utils`` of
  this checkout even when the package is not installed (editable) in the environment.
- Hypothesis keeps no example database, so every run explores afresh; a failure prints
  the ``@reproduce_failure`` blob that replays it. (Hypothesis still caches source constants
  under ``.hypothesis/``, which it git-ignores itself.)
"""

import sys
from pathlib import Path

from hypothesis import settings

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

settings.register_profile("gtml", database=None, deadline=None, print_blob=True)
settings.load_profile("gtml")
