#!/usr/bin/env python3
# /// script
# requires-python = ">=3.11"
# dependencies = ["nox>=2025.2.9"]
# ///
"""Task runner: `nox -l` lists the sessions.

The flow of the project shows in the sessions: `regen` turns the cell specs into
generated NumPy code, `tests` checks it, `docs` builds the bilingual site, `bench`
measures speed.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "venv"

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON = "3.11"
# The CPU build of PyTorch lies in a local wheel folder that only pip sees; a bare
# `torch` requirement would pull the CUDA build from the registry instead.
TORCH = "torch==2.13.0"


LIBRARY = ".[derive,diagram]"
"""The library, with SymPy and ruff (regen, the tests, the site) and matplotlib."""
BOOK = "./src/lstm_book"
"""The book's own package (its pyproject.toml beside its code)."""


def install_project(
    session: nox.Session, *groups: str, editable: bool = False, book: bool = True
) -> None:
    """Install the library (and the book, unless ``book=False``) and the groups."""
    requirements: list[str] = []
    for group in groups:
        requirements += nox.project.dependency_groups(PYPROJECT, group)
    if requirements:
        session.install(*requirements)
    packages = [LIBRARY, BOOK] if book else [LIBRARY]
    if editable:
        packages = [argument for package in packages for argument in ("-e", package)]
    session.install(*packages)


@nox.session(python=PYTHON, default=True)
def lint(session: nox.Session) -> None:
    """Ruff (lint and format check) and mypy (strict on src/)."""
    install_project(session, "dev", editable=True)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session(python=PYTHON, default=True)
def tests(session: nox.Session) -> None:
    """The test suite: gradient checks, autodiff and torch cross-checks, regen drift."""
    install_project(session, "test", editable=True)
    session.install(TORCH)
    # (the drift check of the generated code is a test: test_regen.py)
    # One BLAS thread: the tests' matrices are tiny, and two OpenBLAS threads
    # competing for a busy core make the training tests up to 10x slower.
    env = {"LSTM_DERIVE_REQUIRE_ALL": "1", "OPENBLAS_NUM_THREADS": "1"}
    session.run(
        "pytest",
        "--ignore=tests/site",  # the built site: `nox -s docs site`
        *session.posargs,
        env=env,
    )
    if not session.posargs:
        # The reproductions of recorded results once more under another BLAS
        # kernel, as a machine that picks it would run them: exact where the
        # numeric environment is the record's, within tolerance elsewhere.
        session.run(
            "pytest", "-m", "reproduction", "--ignore=tests/site",
            env={**env, "OPENBLAS_CORETYPE": "Haswell"},
        )  # fmt: skip


@nox.session(python=PYTHON, default=False)
def regen(session: nox.Session) -> None:
    """Regenerate src/lstm_derive/generated/ from the cell specs.

    `nox -s regen -- --check` writes nothing and fails, naming the files, when the
    committed code has drifted from the specs.
    """
    install_project(session, editable=True, book=False)
    session.run("lstm-derive", "regen", *session.posargs)


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Time a training step: the generated code, torch and the GEMM bound.

    Each implementation, size and dtype runs in a fresh interpreter with the same
    thread settings (``--threads``, default 2), round after round; the report gives
    medians and quartiles. ``nox -s bench -- --record`` writes the record the
    site's Speed chapter plots; ``-- --help`` lists the options for a quick run
    (``--sizes``, ``--dtypes``, ``--cells``, ``--rounds``, ``--repeats``).
    """
    install_project(session)
    # torch, and Numba for the compiled backend (the numba extra), are timed too
    session.install(TORCH, *PYPROJECT["project"]["optional-dependencies"]["numba"])
    session.run("python", "tests/benchmarks/run_speed.py", *session.posargs)


# --- the bilingual site -----------------------------------------------------------
# These sessions keep their venv between runs (reuse_venv=True): a warm rebuild of
# the site then takes seconds; `nox --reuse-venv=never -s docs` renews it.
DOCS = ROOT / "docs"
BUILD = DOCS / "_build"
SITE = BUILD / "html"
LANGUAGES = ("en", "zh_CN")
# MathJax 4 and its default font, served from the site itself (never from a CDN).
MATHJAX_VERSION = "4.1.3"
MATHJAX_PACKAGES = (
    f"mathjax@{MATHJAX_VERSION}",
    f"@mathjax/mathjax-newcm-font@{MATHJAX_VERSION}",
)
# conf.py adds this folder to html_static_path: _static/mathjax/, _static/mathjax-newcm-font/
MATHJAX_STAGE = BUILD / "mathjax"
# Debian packages (and a file each installs): Chromium for tests/site and the PDFs,
# CJK glyphs for Chinese in the browser, npm to install MathJax, pdftotext
# (poppler-utils) for the PDFs' test.
SYSTEM_PACKAGES = {
    "chromium": "/usr/bin/chromium",
    "fonts-noto-cjk": "/usr/share/fonts/opentype/noto",
    "npm": "/usr/bin/npm",
    "nodejs": "/usr/bin/node",  # (npm's own dependency) the playground's bytecode
    "poppler-utils": "/usr/bin/pdftotext",
}
# The playground (docs/_ext/site_playground.py): Python in the page, from the site itself.
# Pyodide's core, ruff's formatter in WebAssembly and the CodeMirror editor from npm (no ruff-wasm-web is
# published for the project's ruff 0.17.6; 0.16.9 formats every generated module
# to the same bytes, which tests/site/test_playground_in_browser.py checks), the SymPy of the
# derive extra and its mpmath from PyPI, compiled to Pyodide's bytecode by Node.js
# once per machine. One copy for both languages, beside them.
PYODIDE_VERSION = "314.0.7"
RUFF_WASM_VERSION = "0.16.9"
CODEMIRROR_VERSION = "5.65.20"  # the editor: one script, no bundler
SYMPY_VERSION = next(
    requirement.split("==")[1]
    for requirement in PYPROJECT["project"]["optional-dependencies"]["derive"]
    if requirement.startswith("sympy==")
)
MPMATH_VERSION = "1.3.0"
PLAYGROUND = SITE / "_playground"
# The whole site as one PDF per language: the singlehtml build printed by Chromium.
SINGLEHTML = BUILD / "singlehtml"
PDF_DIGESTS = BUILD / "pdf-digests"
# docs/_ext/site_pdf.py links every page to <language>/_downloads/lstm-derive-<language>.pdf
PDF_NAME = "_downloads/lstm-derive-{language}.pdf"
# The downloaded notebooks (docs/_ext/notebook_downloads.py) and their test.
NOTEBOOKS = (".", "./src/lstm_book[notebooks]")


def stage_mathjax(session: nox.Session) -> None:
    """Install MathJax with npm into the nox cache once; copy its browser files to the build."""
    cache = Path(session.cache_dir) / f"mathjax-{MATHJAX_VERSION}"
    modules = cache / "node_modules"
    if not (modules / "mathjax" / "tex-chtml.js").exists():
        session.run(
            "npm", "install", "--prefix", str(cache), "--no-save", "--no-audit",
            "--no-fund", "--ignore-scripts", *MATHJAX_PACKAGES, external=True,
        )  # fmt: skip
    # Only what a browser loads: the tex-chtml bundle with the components it loads on
    # demand, and the CHTML font (not the SVG font or the Node.js builds).
    unused = shutil.ignore_patterns(
        "*.md", "node-main*", "*svg*", "mml-*", "tex-mml-*", "*nofont*", "cjs", "mjs",
        "examples", "tsconfig*", "def", "*.map", "require.mjs",
    )  # fmt: skip
    staged = BUILD / "mathjax-staged.txt"  # outside the stage: not published
    bundle = MATHJAX_STAGE / "mathjax" / "tex-chtml.js"
    if bundle.exists() and staged.exists() and staged.read_text() == MATHJAX_VERSION:
        return  # staged by an earlier build
    staged.unlink(missing_ok=True)
    shutil.rmtree(MATHJAX_STAGE, ignore_errors=True)
    shutil.copytree(modules / "mathjax", MATHJAX_STAGE / "mathjax", ignore=unused)
    shutil.copytree(
        modules / "@mathjax" / "mathjax-newcm-font",
        MATHJAX_STAGE / "mathjax-newcm-font",
        ignore=unused,
    )
    staged.write_text(MATHJAX_VERSION)


def stage_playground(session: nox.Session) -> None:
    """Download the playground's Pyodide, ruff and wheels once; stage them in the site.

    npm and pip fetch them into the nox cache (``npm pack``: the packages' files,
    none of their scripts run); docs/_ext/playground_assets.py writes
    docs/_build/html/_playground/ from them and from the library's sources.
    """
    cache = (
        Path(session.cache_dir) / f"playground-{PYODIDE_VERSION}-{RUFF_WASM_VERSION}"
    )
    cache.mkdir(parents=True, exist_ok=True)
    packages = {
        f"pyodide-{PYODIDE_VERSION}.tgz": f"pyodide@{PYODIDE_VERSION}",
        f"astral-sh-ruff-wasm-web-{RUFF_WASM_VERSION}.tgz": (
            f"@astral-sh/ruff-wasm-web@{RUFF_WASM_VERSION}"
        ),
        f"codemirror-{CODEMIRROR_VERSION}.tgz": f"codemirror@{CODEMIRROR_VERSION}",
    }
    for tarball, package in packages.items():
        if not (cache / tarball).exists():
            session.run(
                "npm", "pack", "--silent", "--pack-destination", str(cache), package,
                external=True,
            )  # fmt: skip
    wheels = {"sympy": SYMPY_VERSION, "mpmath": MPMATH_VERSION}
    if not all(
        (cache / f"{n}-{v}-py3-none-any.whl").exists() for n, v in wheels.items()
    ):
        session.run(
            "python", "-m", "pip", "download", "--quiet", "--no-deps",
            "--only-binary=:all:", "--dest", str(cache),
            *(f"{name}=={version}" for name, version in wheels.items()),
        )  # fmt: skip
    versions = {
        "pyodide": PYODIDE_VERSION, "ruff": RUFF_WASM_VERSION,
        "codemirror": CODEMIRROR_VERSION, **wheels,
    }  # fmt: skip
    session.run(
        "python", "docs/_ext/playground_assets.py", str(cache), str(PLAYGROUND),
        *(f"--version={name}={version}" for name, version in versions.items()),
    )  # fmt: skip


def build_site(session: nox.Session) -> None:
    """Build every language with Sphinx (warnings are errors), then the root page."""
    stage_mathjax(session)
    stage_playground(session)
    for language in LANGUAGES:
        session.run(
            "sphinx-build", "-W", "--keep-going", "-b", "html", "-D",
            f"language={language}", "-d", str(BUILD / "doctrees" / language),
            str(DOCS), str(SITE / language), *session.posargs,
        )  # fmt: skip
    # The root sends the reader to the site in their browser's language.
    shutil.copyfile(DOCS / "_templates" / "root_redirect.html", SITE / "index.html")
    (SITE / ".nojekyll").touch()


def folder_digest(folder: Path) -> str:
    """A SHA-256 of every file's path and content under ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def start_pdfs(session: nox.Session, bin_dir: Path) -> list[subprocess.Popen[bytes]]:
    """Print the whole site of each language to one PDF (singlehtml + Chromium).

    The singlehtml build reads (a copy of) the html build's doctrees and the shared
    jupyter-cache, so nothing is executed again. Chromium prints both languages at once, and only a
    language whose singlehtml changed since its last print (a digest under
    docs/_build/pdf-digests/). Returns the printing processes; `bin_dir` is the docs
    venv's.
    """
    printing = []
    for language in LANGUAGES:
        # A copy of the html build's doctrees: the singlehtml builder saves its own
        # configuration into them, which would make the next html build rewrite
        # every page.
        doctrees = BUILD / "doctrees-singlehtml" / language
        shutil.rmtree(doctrees, ignore_errors=True)
        shutil.copytree(BUILD / "doctrees" / language, doctrees)
        session.run(
            str(bin_dir / "sphinx-build"), "-W", "--keep-going", "-q", "-b",
            "singlehtml", "-D", f"language={language}", "-d", str(doctrees),
            str(DOCS), str(SINGLEHTML / language), external=True,
        )  # fmt: skip
        pdf = SITE / language / PDF_NAME.format(language=language)
        stamp = PDF_DIGESTS / f"{language}.sha256"
        digest = folder_digest(SINGLEHTML / language)
        if pdf.exists() and stamp.exists() and stamp.read_text() == digest:
            session.log(f"{pdf.relative_to(ROOT)}: unchanged, not printed again")
            continue
        stamp.unlink(missing_ok=True)
        command = [
            str(bin_dir / "python"), "docs/_ext/print_pdf.py",
            str(SINGLEHTML / language), str(pdf), "--digest", digest, str(stamp),
        ]  # fmt: skip
        session.log(" ".join(command))
        printing.append(subprocess.Popen(command, cwd=ROOT))
    return printing


def build_pdfs(session: nox.Session, bin_dir: Path) -> None:
    """Print both languages' PDFs and wait for them."""
    for process in start_pdfs(session, bin_dir):
        if process.wait() != 0:
            session.error(f"printing a PDF failed: {' '.join(map(str, process.args))}")


@nox.session(python=PYTHON, reuse_venv=True, default=False)
def docs(session: nox.Session) -> None:
    """Build the site, English and 简体中文, into docs/_build/html/{en,zh_CN}/.

    Every chapter is executed (jupyter-cache: both languages share one run); a cell
    error or any Sphinx warning fails the build. Each language's PDF (`nox -s pdf`)
    is printed too, since every page links it.
    """
    install_project(session, "docs", editable=True)
    build_site(session)
    build_pdfs(session, Path(session.bin))


@nox.session(python=False, default=False)
def pdf(session: nox.Session) -> None:
    """Print the built site again to docs/_build/html/<language>/_downloads/*.pdf.

    Runs in the docs session's venv, after `nox -s docs` (which prints them too).
    """
    bin_dir = ROOT / ".nox" / "docs" / "bin"
    if not (bin_dir / "sphinx-build").exists() or not (SITE / "en").is_dir():
        session.error("no docs venv or built site: run `nox -s docs` first")
    shutil.rmtree(PDF_DIGESTS, ignore_errors=True)  # print even if unchanged
    build_pdfs(session, bin_dir)


@nox.session(python=PYTHON, reuse_venv=True, default=False)
def gettext(session: nox.Session) -> None:
    """Extract the English messages and update docs/locale/zh_CN/ for translators."""
    install_project(session, "docs", editable=True)
    # The messages are the pages' own text (a glue role stays a role), so the
    # notebooks need not run to extract them; unrun, their glued values and the
    # equations they print are missing, which is all these warnings say.
    session.run(
        "sphinx-build", "-W", "--keep-going", "-b", "gettext",
        "-D", "nb_execution_mode=off", "-D", "suppress_warnings=mystnb.glue,ref.eq",
        "-d", str(BUILD / "doctrees" / "gettext"), str(DOCS), str(BUILD / "gettext"),
    )  # fmt: skip
    session.run(
        "sphinx-intl", "update", "-p", str(BUILD / "gettext"), "-l", "zh_CN",
        "-d", str(DOCS / "locale"),
    )  # fmt: skip
    for catalog in (DOCS / "locale").rglob("*.po"):
        tidy_catalog(catalog)


BABEL_GUESSES = {"python-format", "python-brace-format"}


def tidy_catalog(catalog: Path) -> None:
    """Drop source locations, obsolete messages and the flags Babel guesses.

    conf.py turns locations off (``gettext_location = False``: they named the build
    machine's folders and changed with every edit), but sphinx-intl leaves a
    catalog whose messages did not change as it was, old ``#:`` lines included.
    The site's messages are Markdown with LaTeX and MyST roles, never Python format
    strings: a ``python-format`` or ``python-brace-format`` flag (guessed from a
    "%" or a brace) would make msgfmt check them as format strings.
    """

    def without_guess(match: re.Match[str]) -> str:
        flags = [f for f in match[1].split(", ") if f not in BABEL_GUESSES]
        return f"#, {', '.join(flags)}\n" if flags else ""

    text = catalog.read_text(encoding="utf-8")
    tidy = re.sub(r"^#: .*\n", "", text, flags=re.MULTILINE)
    tidy = re.sub(r"^#, (.*)\n", without_guess, tidy, flags=re.MULTILINE)
    tidy = re.sub(r"\n(?:#~.*\n)+", "\n", tidy)  # messages no page has any more
    if tidy != text:
        catalog.write_text(tidy, encoding="utf-8")


@nox.session(python=PYTHON, reuse_venv=True, default=False)
def serve(session: nox.Session) -> None:
    """Build the site, then serve it on http://127.0.0.1:8000/ (Ctrl-C stops).

    The site answers as soon as its pages are built; the two PDFs it links are
    printed meanwhile (a minute or two, and only if the site changed).
    """
    install_project(session, "docs", editable=True)
    build_site(session)
    printer = threading.Thread(
        target=build_pdfs, args=(session, Path(session.bin)), daemon=True
    )
    printer.start()
    session.log("serving http://127.0.0.1:8000/ (the PDFs follow when printed)")
    session.run(
        "python", "-m", "http.server", "8000", "--bind", "127.0.0.1", "-d", str(SITE)
    )


@nox.session(python=False, name="system-deps", default=False)
def system_deps(session: nox.Session) -> None:
    """Debian packages: Chromium, CJK fonts, npm for MathJax, poppler-utils."""
    missing = [pkg for pkg, path in SYSTEM_PACKAGES.items() if not Path(path).exists()]
    if not missing:
        session.log("system packages present: " + ", ".join(SYSTEM_PACKAGES))
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    session.run(*sudo, "apt-get", "update", external=True)
    session.run(*sudo, "apt-get", "install", "-y", *missing, external=True)


@nox.session(python=PYTHON, reuse_venv=True, default=False)
def site(session: nox.Session) -> None:
    """Test the built site (HTML checks and headless Chromium): run `nox -s docs site`."""
    if not (SITE / "en" / "index.html").exists():
        session.error("no built site in docs/_build/html: run `nox -s docs site`")
    install_project(session, "site", "docs", editable=True)
    session.run(
        "pytest", "tests/site", *session.posargs, env={"LSTM_DERIVE_REQUIRE_ALL": "1"}
    )


@nox.session(python=PYTHON, default=False)
def notebooks(session: nox.Session) -> None:
    """Run every downloaded notebook of the built site in a fresh kernel.

    The venv holds only what a reader installs (`pip install "lstm-book[notebooks]"`)
    and the kernel and runner: `nox -s docs notebooks`. A filter runs fewer:
    `nox -s notebooks -- zh_CN` (one language) or `-- 03_` (one chapter).
    """
    if not any(SITE.glob("*/_sources/*/*.ipynb")):
        session.error("no downloaded notebooks in docs/_build/html: run `nox -s docs`")
    session.install(*NOTEBOOKS, "ipykernel", "nbclient")
    session.run(
        "python", "tests/site/run_notebooks.py", str(SITE), *session.posargs,
        env={"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
    )  # fmt: skip


@nox.session(python=False, default=False)
def clean(session: nox.Session) -> None:
    """Remove build output (the site, caches)."""
    for path in ("docs/_build", "build", "dist"):
        session.log(f"removing {path}")
        shutil.rmtree(ROOT / path, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover
    # `./noxfile.py -s docs` works like `nox -s docs` (the script block names nox).
    nox.main()
