"""Execute the book's notebooks in parallel into the execution cache the book build reads.

`jupyter-book build` with `execute_notebooks: cache` runs every notebook whose code is not
yet cached, one after the other. This script fills the same cache (`_build/.jupyter_cache`,
keyed on each notebook's code, as myst-nb keys it) with several notebooks at a time, so the
build that follows only reads outputs. A notebook that fails is reported with its traceback
and not cached, and the script exits with status 1.

Usage: python scripts/execute_notebooks.py [--jobs N] [--cache DIR] [--timeout S] [notebook ...]
(default: every notebook under chapters/, 2 jobs, the timeout of _config.yml)
"""

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat
import yaml
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.executors.utils import single_nb_execution

ROOT = Path(__file__).resolve().parent.parent


def execute(path, timeout):
    """Run one notebook in its own folder; return (path, executed notebook or None, seconds, error)."""
    notebook = nbformat.read(path, as_version=4)
    result = single_nb_execution(notebook, cwd=str(path.parent), timeout=timeout, allow_errors=False)
    error = None if result.err is None else (result.exc_string or f"{type(result.err).__name__}: {result.err}")
    return path, notebook if error is None else None, result.time, error


def main():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=ROOT / "_build" / ".jupyter_cache")
    parser.add_argument("--timeout", type=int, default=config.get("timeout", 120))
    args = parser.parse_args()

    cache = get_cache(str(args.cache))
    paths = [p.resolve() for p in args.notebooks] or sorted((ROOT / "chapters").rglob("*.ipynb"))
    paths = [p for p in paths if ".ipynb_checkpoints" not in p.parts]
    pending = []
    for path in paths:
        try:
            cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            pending.append(path)
    print(f"{len(paths) - len(pending)} of {len(paths)} notebooks already cached; executing {len(pending)} "
          f"with {args.jobs} jobs", flush=True)

    failed, start = [], time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(execute, path, args.timeout) for path in pending]
        for future in as_completed(futures):
            path, notebook, seconds, error = future.result()
            name = path.relative_to(ROOT)
            if error is not None:
                failed.append(name)
                print(f"FAILED {name} after {seconds:.1f} s:\n{error}", flush=True)
                continue
            # the same record myst-nb writes when it executes a notebook itself
            uri = cache.add_nb_to_project(str(path)).uri
            cache.cache_notebook_bundle(
                CacheBundleIn(notebook, uri, data={"execution_seconds": seconds}), check_validity=False, overwrite=True
            )
            print(f"{seconds:6.1f} s  {name}", flush=True)
    print(f"executed {len(pending)} notebooks in {time.perf_counter() - start:.0f} s wall time", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
