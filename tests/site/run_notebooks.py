"""Run every downloaded notebook of the built site top to bottom in a fresh kernel.

``nox -s notebooks`` runs this in a venv holding only ``pip install
. "./src/lstm_book[notebooks]"`` (what a reader installs), ipykernel and nbclient:

    python tests/site/run_notebooks.py docs/_build/html [name-filter]

Each notebook runs in an empty temporary folder, as many at a time as there are
CPUs (each kernel uses one BLAS thread; both languages of a chapter run side by
side). A cell error stops that notebook; the script lists every failure and exits 1.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

CELL_TIMEOUT = (
    900  # seconds; the slowest cell (the binary-addition sweep) takes about a minute
)


def run(notebook_path: Path) -> tuple[float, str | None]:
    """Execute one notebook: seconds taken, and the error's last line (None if ok)."""
    notebook = nbformat.read(notebook_path, as_version=4)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        client = NotebookClient(
            notebook,
            timeout=CELL_TIMEOUT,
            kernel_name="python3",
            resources={"metadata": {"path": folder}},
        )
        try:
            client.execute()
        except CellExecutionError as error:
            return time.perf_counter() - began, str(error).strip().splitlines()[-1]
    return time.perf_counter() - began, None


def main(argv: list[str]) -> int:
    """Run the notebooks under ``argv[0]`` (whose path contains ``argv[1]``, if given)."""
    if not argv:
        sys.exit("usage: run_notebooks.py <built site folder> [name filter]")
    site, name_filter = Path(argv[0]), (argv[1] if len(argv) > 1 else "")
    notebooks = sorted(
        (
            path
            for path in site.glob("*/_sources/*/*.ipynb")
            if name_filter in str(path)
        ),
        key=lambda path: (path.name, str(path)),  # a chapter's languages together
    )
    if not notebooks:
        sys.exit(f"run_notebooks: no downloaded notebook under {site}")
    failures: list[str] = []
    start = time.perf_counter()
    workers = max(1, min(len(os.sched_getaffinity(0)), 4))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for path, (seconds, error) in zip(
            notebooks, pool.map(run, notebooks), strict=True
        ):
            status = "ok" if error is None else f"FAILED: {error}"
            print(f"{path.relative_to(site)}: {seconds:.1f} s, {status}", flush=True)
            if error is not None:
                failures.append(f"{path.relative_to(site)}: {error}")
    elapsed = time.perf_counter() - start
    print(f"{len(notebooks)} notebooks in {elapsed:.0f} s ({workers} at a time)")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
