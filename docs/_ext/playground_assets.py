"""Stage the playground's assets: one folder for both languages, served by the site.

``python docs/_ext/playground_assets.py CACHE OUT`` (run by ``nox -s docs`` in the
docs venv: ``stage_playground`` in ``noxfile.py``) reads what the nox session
downloaded into ``CACHE`` and writes ``OUT`` (``docs/_build/html/_playground/``):

- ``pyodide/``: Pyodide's core from its npm package (Python 3 in WebAssembly and
  its standard library; no package wheels: no NumPy);
- ``packages-*.zip``: the SymPy and mpmath wheels from PyPI, compiled to
  Pyodide's bytecode by Node.js (``playground_bytecode.mjs``; once, kept in
  ``CACHE``): importing SymPy in the browser then takes a second, not ten;
- ``ruff/``: ruff's formatter compiled to WebAssembly (npm), so the page formats
  the generated module as ``lstm-derive regen`` does;
- ``codemirror/``: the editor (CodeMirror 5 and its Python mode, npm);
- ``lstm_derive-<digest>.zip``: the library's sources the page runs
  (:func:`lstm_derive.playground.bundle`) and ``presets.json``, the spec texts;
- ``manifest.json``, which names them for the page's worker.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

from lstm_derive import playground

PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
RUFF_FILES = ("ruff_wasm.js", "ruff_wasm_bg.wasm", "LICENSE")
CODEMIRROR_FILES = (
    "lib/codemirror.js",
    "lib/codemirror.css",
    "mode/python/python.js",
    "addon/edit/matchbrackets.js",
    "LICENSE",
)
BYTECODE = Path(__file__).with_name("playground_bytecode.mjs")


def extract(tarball: Path, names: tuple[str, ...], out: Path) -> None:
    """Copy ``package/<name>`` of an npm tarball into ``out`` (by its file name)."""
    out.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball) as archive:
        for name in names:
            member = archive.extractfile(f"package/{name}")
            if member is None:
                msg = f"{tarball} has no package/{name}"
                raise FileNotFoundError(msg)
            (out / Path(name).name).write_bytes(member.read())


def only(cache: Path, pattern: str) -> Path:
    """The one file in ``cache`` that matches ``pattern``."""
    found = sorted(cache.glob(pattern))
    if len(found) != 1:
        msg = f"expected one {pattern} in {cache}, found {[p.name for p in found]}"
        raise FileNotFoundError(msg)
    return found[0]


def stage(cache: Path, out: Path, versions: dict[str, str]) -> None:
    """Write ``out`` from the downloads in ``cache``."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    extract(only(cache, "pyodide-*.tgz"), PYODIDE_FILES, out / "pyodide")
    extract(only(cache, "astral-sh-ruff-wasm-web-*.tgz"), RUFF_FILES, out / "ruff")
    extract(only(cache, "codemirror-*.tgz"), CODEMIRROR_FILES, out / "codemirror")
    wheels = [
        only(cache, f"{name}-{versions[name]}-py3-none-any.whl")
        for name in ("sympy", "mpmath")
    ]
    packages = "packages-pyodide{pyodide}-sympy{sympy}-mpmath{mpmath}.zip".format(
        **versions
    )
    if not (cache / packages).exists():  # compiled once per machine, in the cache
        node = shutil.which("node")
        if node is None:
            msg = "Node.js is missing (it comes with npm): run `nox -s system-deps`"
            raise FileNotFoundError(msg)
        partial = cache / f"{packages}.partial"
        subprocess.run(
            [
                node,
                str(BYTECODE),
                str(out / "pyodide"),
                str(partial),
                *map(str, wheels),
            ],
            check=True,
        )
        partial.rename(cache / packages)
    shutil.copyfile(cache / packages, out / packages)
    staged = out / "lstm_derive.zip"
    playground.bundle(staged)
    digest = hashlib.sha256(staged.read_bytes()).hexdigest()[:12]
    library = staged.rename(out / f"lstm_derive-{digest}.zip")
    presets = json.dumps(playground.presets(), ensure_ascii=False, indent=1)
    (out / "presets.json").write_text(presets + "\n", encoding="utf-8")
    manifest = {
        "versions": versions,
        "pyodide": "pyodide/",
        "packages": packages,
        "library": library.name,
        "ruff": {"module": "ruff/ruff_wasm.js", "wasm": "ruff/ruff_wasm_bg.wasm"},
        "editor": {
            "scripts": [
                "codemirror/codemirror.js",
                "codemirror/python.js",
                "codemirror/matchbrackets.js",
            ],
            "style": "codemirror/codemirror.css",
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


def main() -> None:
    """Stage the folder (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cache", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument(
        "--version",
        action="append",
        default=[],
        metavar="NAME=VERSION",
        help="pyodide, sympy, mpmath and ruff (the pins of noxfile.py)",
    )
    args = parser.parse_args()
    versions = dict(item.split("=", 1) for item in args.version)
    stage(args.cache, args.out, versions)


if __name__ == "__main__":
    main()
