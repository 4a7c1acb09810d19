"""One cell as a single self-contained NumPy file: its generated maths and the driver.

``lstm-derive export lstm`` writes ``lstm_numpy.py``: the generated module of the cell
(the derived maths), then the BPTT driver (:mod:`lstm_derive.nn.bptt`), then three
functions to use them: ``init_params``, ``cell_forward`` and ``cell_backward``. The file imports
NumPy and the standard library only, never ``lstm_derive``: copy it into any project.
"""

from __future__ import annotations

import os
from pathlib import Path

from lstm_derive import generated
from lstm_derive.files import WriteError, write_atomic
from lstm_derive.nn import bptt

FUTURE = "from __future__ import annotations\n"

FOOTER = '''

# -- using the cell ----------------------------------------------------------------
CELL_PLAN = Cell.of(sys.modules[__name__])


def init_params(inputs: int, hidden: int, rng: np.random.Generator) -> dict[str, Array]:
    """Every parameter uniform in ±1/sqrt(hidden), shaped for the given sizes."""
    bound = 1 / np.sqrt(hidden)
    shapes = CELL_PLAN.shapes(inputs, hidden)
    return {name: rng.uniform(-bound, bound, shape) for name, shape in shapes.items()}


def cell_forward(
    x: Array, states0: Mapping[str, Array], params: Mapping[str, Array]
) -> tuple[Array, dict[str, Array], Cache]:
    """Hidden states [B, T, H], final states and the cache, for x [B, T, I]."""
    return CELL_PLAN.forward(x, states0, params)


def cell_backward(
    d_hs: Array, cache: Cache, d_last: Mapping[str, Array] | None = None
) -> dict[str, Array]:
    """Gradients of x, the initial states and every parameter (BPTT)."""
    return CELL_PLAN.backward(d_hs, cache, d_last)
'''


def _body(text: str) -> str:
    """Module text without its ``from __future__`` line (it must come first, once)."""
    return text.replace(FUTURE, "", 1)


def export_text(cell: str) -> str:
    """The text of the self-contained file for ``cell``."""
    module = generated.load(cell)
    cell_text = Path(module.__file__ or "").read_text()
    driver_text = Path(bptt.__file__).read_text()
    header = (
        f"# {cell}_numpy.py: the {cell!r} cell of lstm-derive, exported with\n"
        f"# `lstm-derive export {cell}`: its generated maths, then the BPTT driver.\n"
        "# NumPy only; no import of lstm_derive.\n"
    )
    return (
        header
        + FUTURE
        + "\nimport sys\n"
        + _body(cell_text)
        + "\n\n# -- the BPTT driver (lstm_derive/nn/bptt.py) "
        + "-" * 34
        + "\n"
        + _body(driver_text)
        + FOOTER
    )


def export(cell: str, output: str | os.PathLike[str]) -> Path:
    """Write the file for ``cell`` to ``output`` (a file, or a folder to put it in).

    A name ending in ``/`` must be an existing folder. The file is replaced in one
    rename (:func:`lstm_derive.files.write_atomic`): a failed write raises
    :class:`~lstm_derive.files.WriteError` and leaves an existing file as it was.
    """
    text = os.fspath(output)
    path = Path(text)
    if path.is_dir():
        path = path / f"{cell}_numpy.py"
    elif text.endswith((os.sep, "/")):
        msg = f"cannot write {text}: no directory {text}"
        raise WriteError(msg)
    return write_atomic(path, export_text(cell))
