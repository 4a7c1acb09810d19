"""One cell as a single self-contained NumPy file: its generated maths and the driver.

``lstm-derive export lstm`` writes ``lstm_numpy.py``: the generated module of the cell
(the derived maths), then the BPTT driver (:mod:`lstm_derive.nn.bptt`), then three
functions to use them: ``init_params``, ``cell_forward`` and ``cell_backward``. The file imports
NumPy and the standard library only, never ``lstm_derive``: copy it into any project.
"""

from __future__ import annotations

from pathlib import Path

from lstm_derive import generated
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


def export(cell: str, output: Path) -> Path:
    """Write the file for ``cell`` to ``output`` (a file, or a folder to put it in)."""
    if output.is_dir():
        output = output / f"{cell}_numpy.py"
    output.write_text(export_text(cell))
    return output
