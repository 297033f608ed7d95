"""Shared pytest setup for the tests of gtml_utils.

- The repository root goes on ``sys.path``, so the tests import the ``gtml_utils`` of
  this checkout even when the package is not installed (editable) in the environment.
- Hypothesis keeps no example database and, in the default profile ``gtml``, draws its
  examples deterministically, so `make test` gives the same verdict on every run (CI must not
  fail at random). To search afresh, ``HYPOTHESIS_PROFILE=explore make unit``: random
  examples, more of them; a failure prints the ``@reproduce_failure`` blob that replays it.
  (Hypothesis still caches source constants under ``.hypothesis/``, which it git-ignores.)
"""

import os
import sys
from pathlib import Path

from hypothesis import settings

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

settings.register_profile("gtml", database=None, deadline=None, print_blob=True, derandomize=True)
settings.register_profile("explore", database=None, deadline=None, print_blob=True, max_examples=300)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "gtml"))
