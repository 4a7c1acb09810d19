"""The values the course notebook prints under "Expected Output", and a comparison.

Each entry maps an expression of the course's snippet (``"a_next[4]"``) to the text
the course prints for it. :func:`printed_match` reads the numbers back out of that
text and accepts a computed value when it rounds to each of them at the precision
printed (half a unit in the last printed digit).
"""

from __future__ import annotations

import html
import re
from typing import Any

import numpy as np

from lstm_book.site.language import Language

PRINTED: dict[str, dict[str, str]] = {
    "rnn_cell_forward": {
        "a_next[4]": "[ 0.59584544  0.18141802  0.61311866  0.99808218  0.85016201"
        "  0.99980978 -0.18887155  0.99815551  0.6531151   0.82872037]",
        "yt_pred[1]": "[ 0.9888161   0.01682021  0.21140899  0.36817467  0.98988387"
        "  0.88945212  0.36920224  0.9966312   0.9982559   0.17746526]",
    },
    "rnn_forward": {
        "a[4][1]": "[-0.99999375  0.77911235 -0.99861469 -0.99833267]",
        "y_pred[1][3]": "[ 0.79560373  0.86224861  0.11118257  0.81515947]",
        "caches[1][1][3]": "[-1.1425182  -0.34934272 -0.20889423  0.58662319]",
    },
    "lstm_cell_forward": {
        "a_next[4]": "[-0.66408471  0.0036921   0.02088357  0.22834167 -0.85575339"
        "  0.00138482  0.76566531  0.34631421 -0.00215674  0.43827275]",
        "c_next[2]": "[ 0.63267805  1.00570849  0.35504474  0.20690913 -1.64566718"
        "  0.11832942  0.76449811 -0.0981561  -0.74348425 -0.26810932]",
        "yt[1]": "[ 0.79913913  0.15986619  0.22412122  0.15606108  0.97057211"
        "  0.31146381  0.00943007  0.12666353  0.39380172  0.07828381]",
        "cache[1][3]": "[-0.16263996  1.03729328  0.72938082 -0.54101719  0.02752074"
        " -0.30821874  0.07651101 -1.03752894  1.41219977 -0.37647422]",
    },
    "lstm_forward": {
        "a[4][3][6]": "0.172117767533",
        "y[1][4][3]": "0.95087346185",
        "caches[1][1][1]": "[ 0.82797464  0.23009474  0.76201118 -0.22232814"
        " -0.20075807  0.18656139  0.41005165]",
        "c[1][2][1]": "-0.855544916718",
    },
    "rnn_cell_backward": {
        'gradients["dxt"][1][2]': "-0.460564103059",
        'gradients["da_prev"][2][3]': "0.0842968653807",
        'gradients["dWax"][3][1]': "0.393081873922",
        'gradients["dWaa"][1][2]': "-0.28483955787",
        'gradients["dba"][4]': "[ 0.80517166]",
    },
    "rnn_backward": {
        'gradients["dx"][1][2]': "[-2.07101689 -0.59255627  0.02466855  0.01483317]",
        'gradients["da0"][2][3]': "-0.314942375127",
        'gradients["dWax"][3][1]': "11.2641044965",
        'gradients["dWaa"][1][2]': "2.30333312658",
        'gradients["dba"][4]': "[-0.74747722]",
    },
    "lstm_cell_backward": {
        'gradients["dxt"][1][2]': "3.23055911511",
        'gradients["da_prev"][2][3]': "-0.0639621419711",
        'gradients["dc_prev"][2][3]': "0.797522038797",
        'gradients["dWf"][3][1]': "-0.147954838164",
        'gradients["dWi"][1][2]': "1.05749805523",
        'gradients["dWc"][3][1]': "2.30456216369",
        'gradients["dWo"][1][2]': "0.331311595289",
        'gradients["dbf"][4]': "[ 0.18864637]",
        'gradients["dbi"][4]': "[-0.40142491]",
        'gradients["dbc"][4]': "[ 0.25587763]",
        'gradients["dbo"][4]': "[ 0.13893342]",
    },
    "lstm_backward_current": {
        'gradients["dx"][1][2]': "[ 0.00218254  0.28205375 -0.48292508 -0.43281115]",
        'gradients["da0"][2][3]': "0.312770310257",
        'gradients["dWf"][3][1]': "-0.0809802310938",
        'gradients["dWi"][1][2]': "0.40512433093",
        'gradients["dWc"][3][1]': "-0.0793746735512",
        'gradients["dWo"][1][2]': "0.038948775763",
        'gradients["dbf"][4]': "[-0.15745657]",
        'gradients["dbi"][4]': "[-0.50848333]",
        'gradients["dbc"][4]': "[-0.42510818]",
        'gradients["dbo"][4]': "[-0.17958196]",
    },
    "lstm_backward": {
        'gradients["dx"][1][2]': "[-0.00173313  0.08287442 -0.30545663 -0.43281115]",
        'gradients["da0"][2][3]': "-0.095911501954",
        'gradients["dWf"][3][1]': "-0.0698198561274",
        'gradients["dWi"][1][2]': "0.102371820249",
        'gradients["dWc"][3][1]': "-0.0624983794927",
        'gradients["dWo"][1][2]': "0.0484389131444",
        'gradients["dbf"][4]': "[-0.0565788]",
        'gradients["dbi"][4]': "[-0.06997391]",
        'gradients["dbc"][4]': "[-0.27441821]",
        'gradients["dbo"][4]': "[ 0.16532821]",
    },
}
"""The course's printed values, per snippet, keyed by the expression printed.

``lstm_backward`` is the table of the copied edition;
``lstm_backward_current`` the one the course's current edition prints for the same
snippet (its ``da`` covers 4 of the 7 steps of the forward pass).
"""

_NUMBER = re.compile(r"[-+]?\d+\.(\d*)")


def printed_match(actual: Any, printed: str) -> bool:
    """Whether ``actual`` rounds to every number in ``printed``, at its precision."""
    matches = list(_NUMBER.finditer(printed))
    values = np.asarray(actual, dtype=float).ravel()
    if len(values) != len(matches):
        return False
    return all(
        abs(value - float(match.group()))
        <= 0.5 * 10.0 ** -len(match.group(1)) * (1 + 1e-9)
        for value, match in zip(values, matches, strict=True)
    )


def evaluate(expression: str, namespace: dict[str, Any]) -> Any:
    """The value of one printed expression, such as ``a[4][1]``, in ``namespace``.

    Only names, integer indexing and string keys are accepted (no calls).
    """
    if not re.fullmatch(r'[A-Za-z_]\w*(\[(\d+|"\w+")\])*', expression):
        msg = f"not an indexing expression: {expression!r}"
        raise ValueError(msg)
    name, *keys = re.findall(r'^[A-Za-z_]\w*|\[(?:\d+|"\w+")\]', expression)
    value = namespace[name]
    for key in keys:
        inner = key[1:-1]
        value = value[inner.strip('"')] if inner.startswith('"') else value[int(inner)]
    return value


COLUMNS: dict[Language, tuple[str, str, str, str]] = {
    "en": ("printed", "the course prints", "computed here", "agrees"),
    "zh": ("打印的表达式", "课程打印的值", "这里算出的值", "一致"),
}


def comparison_html(
    snippet: str, namespace: dict[str, Any], language: Language = "en"
) -> str:
    """An HTML table: each printed expression, the course's text, ours, ✓ or ✗.

    ``namespace`` holds the snippet's results under the course's names; the column
    headers are in ``language``. HTML (not Markdown) keeps the computed numbers out
    of the site's translation catalogs.
    """
    head = "".join(f"<th>{title}</th>" for title in COLUMNS[language])
    rows = [f"<table class='course-comparison'><thead><tr>{head}</tr></thead><tbody>"]
    for expression, printed in PRINTED[snippet].items():
        value = evaluate(expression, namespace)
        array = np.asarray(value)
        digits = 12 if array.ndim == 0 else 8
        shown = np.array2string(array, precision=digits, max_line_width=200)
        verdict = "✓" if printed_match(value, printed) else "✗"
        cells = (expression, printed, shown)
        rows.append(
            "<tr>"
            + "".join(f"<td><code>{html.escape(cell)}</code></td>" for cell in cells)
            + f"<td>{verdict}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)


def agreement(snippet: str, namespace: dict[str, Any]) -> tuple[int, int]:
    """How many of the snippet's printed values match, and how many there are."""
    values = PRINTED[snippet]
    right = sum(
        printed_match(evaluate(expression, namespace), printed)
        for expression, printed in values.items()
    )
    return right, len(values)
