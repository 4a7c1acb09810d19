"""Print the whole-sequence functions of a compiled module, from the stage table alone.

The BPTT driver (:mod:`lstm_derive.nn.bptt`) runs a pass step by step in Python: per
step and stage one kernel call and the matrix products between them. For small
batches that dispatch costs more than the arithmetic. The functions printed here do
the same work in one compiled call each, with the loop over time inside:

* ``sequence_forward``: the projection of ``x`` for every step at once (one product
  over T*B rows), then per step the projections of the previous states, each
  stage's kernel and the projections of the values a stage made;
* ``sequence_backward``: the same steps in reverse, each stage's backward kernel,
  the gradients flowing through every projection (``d_v = d_z W^T``), and after the
  loop every weight and bias gradient over all T*B rows (and ``d_x``, if asked).

The matrix products are BLAS calls through Numba's ``np.dot``. Everything the
functions do is read from the table (:mod:`lstm_derive.codegen.stages`): which
projection multiplies what, what each name a stage reads or saves stands for at
step t, and where each gradient array a kernel returns goes. That is the driver's
reading of the same table, unrolled for one cell at generation time; no name is
taken apart.

Where a step keeps its values: the states of steps 0..T in one array per state,
``state_<s>[T + 1, B, H]`` (``state_<s>[t]`` is ``<s>_prev`` of step t and
``state_<s>[t + 1]`` the state it makes), and every other value a kernel writes in
``value_<v>[T, B, H]``. Two plain-Python functions, ``run_sequence_forward`` and
``run_sequence_backward``, pass these arrays by name, so the caller
(:mod:`lstm_derive.nn.compiled`) needs no argument order.

Sequences of different lengths and variational recurrent dropout, as the driver
runs them:

* ``lengths [B]``: a step ``t >= lengths[b]`` is padding for row ``b``. Its kernels
  run, as the driver's do, but the step keeps the row's states (``state_<s>[t + 1]``
  is set back to ``state_<s>[t]``); backward, no gradient reaches its values (the
  row's gradients arriving at the step are set to zero before its kernels) and the
  gradients of the final states pass it unchanged (padding is the end of a row, so
  what passes a padded step is ``d_last_<s>``). Without lengths the caller passes
  ``T`` for every row: a comparison per row and step, nothing else.
* ``mask_<s> [B, H]``, for every state a projection reads: the previous state is
  multiplied by it before every projection of it (the product's rows, for the
  weight's gradient, are the dropped ones too), and the gradient coming back
  through the projection by it again. A mask with no rows (``[0, H]``) drops
  nothing: one branch per step, no multiplication.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_derive.codegen import stages
from lstm_derive.codegen.render import parameter_layout
from lstm_derive.derive.model import Derivation

JIT = "@numba.njit(**JIT_OPTIONS)"


@dataclass(frozen=True)
class Projection:
    """One row of ``PROJECTIONS`` with the kind of vector it reads (from ``INPUTS``)."""

    key: str
    reads: str
    kind: str  # "input", "state" or "value"
    source: str  # the input, the state or the value it multiplies
    weight: str
    bias: str | None


@dataclass(frozen=True)
class Table:
    """What the printer reads: one cell's stage table, and its kernels' names."""

    states: tuple[str, ...]
    parameters: tuple[str, ...]  # every parameter, in layout order
    elementwise: tuple[str, ...]
    projections: tuple[Projection, ...]
    inputs: dict[str, tuple[str, str]]
    stages: tuple[stages.StageEntry, ...]
    kernels: tuple[tuple[str, str], ...]  # per stage: its forward and backward kernel

    @classmethod
    def of(cls, derivation: Derivation) -> Table:
        """The table the generated modules print for ``derivation``."""
        inputs = stages.inputs(derivation)
        projections = tuple(
            Projection(
                key,
                str(entry["reads"]),
                inputs[str(entry["reads"])][0],
                inputs[str(entry["reads"])][1],
                str(entry["weight"]),
                None if entry["bias"] is None else str(entry["bias"]),
            )
            for key, entry in stages.projections(derivation.spec).items()
        )
        return cls(
            states=tuple(derivation.spec.states),
            parameters=tuple(parameter_layout(derivation)),
            elementwise=tuple(
                n for n, (kind, _) in inputs.items() if kind == "parameter"
            ),
            projections=projections,
            inputs=inputs,
            stages=stages.entries(derivation),
            kernels=tuple(
                (f"forward_{s.index}", f"backward_{s.index}") for s in derivation.stages
            ),
        )

    def projection(self, key: str) -> Projection:
        """The projection called ``key``."""
        return next(p for p in self.projections if p.key == key)

    @property
    def values(self) -> tuple[str, ...]:
        """The names the kernels write that are not states, in the order written."""
        written = (name for entry in self.stages for name in entry.writes)
        return tuple(dict.fromkeys(n for n in written if n not in self.states))

    @property
    def owners(self) -> dict[str, str]:
        """Each projection's gradient array: its own, or the first of its fused group."""
        owner = {p.key: p.key for p in self.projections}
        for entry in self.stages:
            for names in entry.gradients:
                if self.inputs[names[0]][0] == "projection":
                    owner |= dict.fromkeys(names, names[0])
        return owner


def render_sequence(derivation: Derivation) -> str:
    """The text of the whole-sequence functions of one cell's compiled module."""
    printer = _Printer(Table.of(derivation))
    parts = [
        printer.forward(),
        printer.backward(),
        printer.run_forward(),
        printer.run_backward(),
    ]
    return "\n\n\n".join(parts)


def _call(function: str, args: list[str]) -> str:
    return f"{function}({', '.join(args)})"


def _tuple(names: list[str]) -> str:
    """``a, b`` (or ``(a,)``): the text of a tuple of names."""
    return f"({names[0]},)" if len(names) == 1 else ", ".join(names)


def _padded(lines: list[str], comment: str) -> list[str]:
    """``lines``, run for every row for which step ``t`` is padding."""
    return [
        f"for row in range(batch):  # {comment}",
        "    if t >= lengths[row]:",
        *(f"        {line}" for line in lines),
    ]


def at_step(table: Table, name: str) -> str:
    """The array holding ``name`` at step ``t``: the table's meaning of the name."""
    array, index = where(table, name)
    return array + index


def where(table: Table, name: str) -> tuple[str, str]:
    """The array that holds ``name`` for every step, and its index at step ``t``."""
    kind, what = table.inputs.get(name, ("value", name))
    if kind == "parameter":
        return f"param_{what}", ""
    if kind == "state":  # <s>_prev: the state of step t - 1
        return f"state_{what}", "[t]"
    if kind == "projection":
        per_step = table.projection(what).kind == "input"
        return f"proj_{what}", "[t]" if per_step else ""
    if kind == "input":
        msg = f"a stage reads the input {name!r} itself; only projections may"
        raise ValueError(msg)
    if what in table.states:  # a state this step makes
        return f"state_{what}", "[t + 1]"
    if what not in table.values:
        msg = f"no stage writes {what!r}, which a stage reads or saves"
        raise ValueError(msg)
    return f"value_{what}", "[t]"


class _Printer:
    def __init__(self, table: Table) -> None:
        self.t = table
        self.first_state = table.states[0]
        # the states a projection reads: recurrent dropout may mask each of them
        self.masked = tuple(
            s
            for s in table.states
            if any(p.kind == "state" and p.source == s for p in table.projections)
        )
        for entry in table.stages:  # every name a stage reads or saves must resolve
            for name in (*entry.reads, *entry.saved):
                at_step(self.t, name)

    def project(self, p: Projection) -> list[str]:
        """``proj_<key> = <source at t> @ W (+ b)``, into the step's projection array."""
        # (a projection of a previous state reads it through its dropout mask)
        source = f"prev_{p.source}" if p.kind == "state" else at_step(self.t, p.reads)
        lines = [_call("np.dot", [source, f"param_{p.weight}", f"proj_{p.key}"])]
        if p.bias is not None:
            lines.append(f"proj_{p.key} += param_{p.bias}")
        return lines

    # -- forward ------------------------------------------------------------------------

    def forward_arguments(self) -> list[str]:
        return [
            "x_rows",
            "lengths",
            *(f"initial_{s}" for s in self.t.states),
            *(f"mask_{s}" for s in self.masked),
            *(f"param_{p}" for p in self.t.parameters),
        ]

    def mask_flags(self) -> list[str]:
        """``masked_<s>``: whether recurrent dropout masks the state (a mask with rows)."""
        if not self.masked:
            return []
        return [
            "# recurrent dropout: a mask with no rows drops nothing",
            *(f"masked_{s} = mask_{s}.shape[0] > 0" for s in self.masked),
        ]

    def forward_returns(self) -> list[str]:
        return [
            *(f"state_{s}" for s in self.t.states),
            *(f"value_{v}" for v in self.t.values),
        ]

    def forward(self) -> str:
        t, first = self.t, self.first_state
        lines = [
            f"batch, hidden = initial_{first}.shape",
            "steps = x_rows.shape[0] // batch",
            f"dtype = initial_{first}.dtype",
        ]
        for p in t.projections:
            if p.kind == "input":
                lines += [
                    f"# {p.key} of every step at once: one product over the T*B rows",
                    f"rows_{p.key} = np.dot(x_rows, param_{p.weight})",
                ]
                if p.bias is not None:
                    lines.append(f"rows_{p.key} += param_{p.bias}")
                lines.append(
                    f"proj_{p.key} = rows_{p.key}.reshape("
                    f"(steps, batch, rows_{p.key}.shape[1]))"
                )
        lines.append(
            f"# the states of steps 0..T: state_{first}[t] is {first}_prev of step t"
        )
        for s in t.states:
            lines += [
                f"state_{s} = np.empty((steps + 1, batch, hidden), dtype)",
                f"state_{s}[0] = initial_{s}",
            ]
        lines.append("# every value a kernel writes, at every step")
        lines += [
            f"value_{v} = np.empty((steps, batch, hidden), dtype)" for v in t.values
        ]
        stepwise = [p for p in t.projections if p.kind != "input"]
        if stepwise:
            lines.append("# the projections of one step's previous states and values")
            lines += [
                f"proj_{p.key} = np.empty((batch, param_{p.weight}.shape[1]), dtype)"
                for p in stepwise
            ]
        lines += self.mask_flags()
        lines += [
            f"dropped_{s} = np.empty((batch, hidden), dtype)" for s in self.masked
        ]
        lines.append("for t in range(steps):")
        body = []
        for s in self.masked:
            body += [
                f"prev_{s} = state_{s}[t]",
                f"if masked_{s}:  # the same mask at every step",
                f"    np.multiply(prev_{s}, mask_{s}, dropped_{s})",
                f"    prev_{s} = dropped_{s}",
            ]
        for p in stepwise:
            if p.kind == "state":
                body += self.project(p)
        for entry, (kernel, _) in zip(t.stages, t.kernels, strict=True):
            writes = [at_step(self.t, name) for name in entry.writes]
            body.append(
                _call(kernel, [at_step(self.t, n) for n in entry.reads] + writes)
            )
            for key in entry.projections_after:
                body += self.project(t.projection(key))
        body += _padded(
            [f"state_{s}[t + 1, row] = state_{s}[t, row]" for s in t.states],
            "a padded step keeps the row's states",
        )
        lines += [f"    {line}" for line in body]
        lines.append(f"return {_tuple(self.forward_returns())}")
        docstring = (
            '"""Every step of a batch in one call (x_rows: time-major, [T*B, I]).\n\n'
            "lengths [B]: each row's length (its later steps are padding); mask_<s>: "
            "the\nrecurrent dropout mask of a state ([B, H]; [0, H] for none). "
            "Returns the states of\nsteps 0..T ([T + 1, B, H] each, the initial ones "
            "first; a padded step's are\nits row's last), then every value the "
            "kernels write ([T, B, H] each).\n"
            '"""'
        )
        return self.function(
            "sequence_forward", self.forward_arguments(), docstring, lines
        )

    # -- backward -----------------------------------------------------------------------

    def backward_reads(self) -> tuple[list[str], list[str], list[str]]:
        """The parameters, states and values the backward pass reads: the weights,
        the vectors each projection multiplied, and what the stages saved."""
        t = self.t
        read = {f"param_{p.weight}" for p in t.projections}
        read |= {f"{p.kind}_{p.source}" for p in t.projections if p.kind != "input"}
        for entry in t.stages:
            read |= {where(t, name)[0] for name in entry.saved}
        return (
            [p for p in t.parameters if f"param_{p}" in read],
            [s for s in t.states if f"state_{s}" in read],
            [v for v in t.values if f"value_{v}" in read],
        )

    def backward_arguments(self) -> list[str]:
        parameters, states, values = self.backward_reads()
        return [
            "d_hs",
            *(f"d_last_{s}" for s in self.t.states),
            "x_rows",
            "lengths",
            *(f"mask_{s}" for s in self.masked),
            *(f"param_{p}" for p in parameters),
            *(f"state_{s}" for s in states),
            *(f"value_{v}" for v in values),
            "input_gradient",
        ]

    def backward_returns(self) -> list[str]:
        return [
            "d_x",
            *(f"d_state_{s}" for s in self.t.states),
            *(f"d_param_{p}" for p in self.t.parameters),
        ]

    def backward(self) -> str:
        t, first = self.t, self.first_state
        owners = t.owners
        step = _Step(t, owners, self.masked)
        body = step.lines()
        lines = [
            "batch, steps, hidden = d_hs.shape",
            "dtype = d_hs.dtype",
            "# the gradients of every step's projections (fused ones share theirs)",
        ]
        for p in t.projections:
            if owners[p.key] == p.key:
                lines.append(
                    f"d_proj_{p.key} = np.empty("
                    f"(steps, batch, param_{p.weight}.shape[1]), dtype)"
                )
        if t.elementwise:
            lines.append(
                "# the elementwise parameters' gradients, summed over the steps"
            )
            lines += [f"d_param_{n} = np.zeros(hidden, dtype)" for n in t.elementwise]
        biased = [p for p in t.projections if p.bias is not None]
        if biased:
            lines.append("# the biases' gradients, summed over the rows of every step")
            lines += [
                f"d_param_{p.bias} = np.zeros(param_{p.weight}.shape[1], dtype)"
                for p in biased
            ]
        lines.append(
            "# the gradients reaching each state from step t + 1, and going to step t - 1"
        )
        for s in t.states:
            lines += [
                f"d_state_{s} = d_last_{s}.copy()",
                f"d_prev_{s} = np.empty((batch, hidden), dtype)",
            ]
        lines.append(
            f"# the gradient at {first}: the loss's at step t and step t + 1's"
        )
        lines.append(f"d_total_{first} = np.empty((batch, hidden), dtype)")
        if step.values:
            lines.append("# the gradients reaching the values a stage made")
            lines += [
                f"d_value_{v} = np.empty((batch, hidden), dtype)" for v in step.values
            ]
        if step.scratch:
            lines.append(
                "# a second gradient of a name, before it is added to the first"
            )
            lines += [f"{name} = {shape}" for name, shape in step.scratch.items()]
        stepwise = [p for p in t.projections if p.kind != "input"]
        if stepwise:
            lines.append("# W^T of every product the loop runs, contiguous once")
            lines += [
                f"weight_T_{p.key} = np.ascontiguousarray(param_{p.weight}.T)"
                for p in stepwise
            ]
        if step.zeros:
            lines.append("# the gradient of an output nothing reads")
            lines.append("zeros = np.zeros((batch, hidden), dtype)")
        lines += self.mask_flags()
        lines.append("for t in range(steps - 1, -1, -1):")
        lines += [f"    {line}" for line in body]
        lines += self.parameter_gradients()
        lines.append(f"return {_tuple(self.backward_returns())}")
        docstring = (
            '"""Backpropagation through every step of sequence_forward in one call.\n\n'
            "d_hs [B, T, H]: the loss's gradient at every hidden state (ignored at "
            "padded\nsteps); d_last_<s>: at the final states; lengths and mask_<s> "
            "as the forward\npass had them. Returns d_x (time-major rows; empty unless "
            "input_gradient), the\ngradients of the initial states, then of every "
            "parameter, in layout order.\n"
            '"""'
        )
        return self.function(
            "sequence_backward", self.backward_arguments(), docstring, lines
        )

    def parameter_gradients(self) -> list[str]:
        """Every weight and bias gradient, and d_x, over all T*B rows at once."""
        t, owners = self.t, self.t.owners
        lines = ["# every weight's gradient: one product over the T*B rows"]
        for p in t.projections:
            if owners[p.key] == p.key:
                lines.append(
                    f"d_rows_{p.key} = d_proj_{p.key}.reshape("
                    f"(steps * batch, d_proj_{p.key}.shape[2]))"
                )
        for p in t.projections:
            d_rows = f"d_rows_{owners[p.key]}"
            if p.kind == "input":
                rows = "x_rows"
            elif p.kind == "state":  # the previous states, through their mask
                rows = f"state_{p.source}[:steps].reshape((steps * batch, hidden))"
                dropped = (
                    f"(state_{p.source}[:steps] * mask_{p.source})"
                    ".reshape((steps * batch, hidden))"
                )
                lines += [
                    f"if masked_{p.source}:",
                    f"    d_param_{p.weight} = np.dot({dropped}.T, {d_rows})",
                    "else:",
                    f"    d_param_{p.weight} = np.dot({rows}.T, {d_rows})",
                ]
                continue
            else:
                rows = f"value_{p.source}.reshape((steps * batch, hidden))"
            lines.append(f"d_param_{p.weight} = np.dot({rows}.T, {d_rows})")
        inputs = [p for p in t.projections if p.kind == "input"]
        lines.append("if input_gradient:")
        if inputs:
            first, *others = inputs
            lines.append(
                f"    d_x = np.dot(d_rows_{owners[first.key]}, param_{first.weight}.T)"
            )
            lines += [
                f"    d_x += np.dot(d_rows_{owners[p.key]}, param_{p.weight}.T)"
                for p in others
            ]
        else:
            lines.append("    d_x = np.zeros_like(x_rows)")
        lines += ["else:", "    d_x = np.empty((0, x_rows.shape[1]), dtype)"]
        return lines

    # -- the callers' side: the arrays by name ---------------------------------------------

    def run_forward(self) -> str:
        t = self.t
        args = [
            "x_rows",
            "lengths",
            *(f'states0["{s}"]' for s in t.states),
            *(f'masks["{s}"]' for s in self.masked),
            *(f'params["{p}"]' for p in t.parameters),
        ]
        states = ", ".join(f'"{s}": state_{s}' for s in t.states)
        values = ", ".join(f'"{v}": value_{v}' for v in t.values)
        return "\n".join(
            [
                "def run_sequence_forward(x_rows, lengths, states0, masks, params):",
                '    """sequence_forward with its arrays by name: (states, values)."""',
                f"    {_tuple(self.forward_returns())} = "
                + _call("sequence_forward", args),
                f"    return {{{states}}}, {{{values}}}",
            ]
        )

    def run_backward(self) -> str:
        t = self.t
        parameters, states, values = self.backward_reads()
        args = [
            "d_hs",
            *(f'd_last["{s}"]' for s in t.states),
            "x_rows",
            "lengths",
            *(f'masks["{s}"]' for s in self.masked),
            *(f'params["{p}"]' for p in parameters),
            *(f'states["{s}"]' for s in states),
            *(f'values["{v}"]' for v in values),
            "input_gradient",
        ]
        grads = [f'"{s}0": d_state_{s}' for s in t.states]
        grads += [f'"{p}": d_param_{p}' for p in t.parameters]
        unread = [] if values else ["    del values  # (the backward pass reads none)"]
        return "\n".join(
            [
                "def run_sequence_backward(",
                (
                    "    d_hs, d_last, x_rows, lengths, masks, params, states, values, "
                    "input_gradient"
                ),
                "):",
                '    """sequence_backward with its arrays by name: the gradients by name."""',
                *unread,
                f"    {_tuple(self.backward_returns())} = "
                + _call("sequence_backward", args),
                f"    grads = {{{', '.join(grads)}}}",
                "    if input_gradient:",
                "        batch, steps = d_hs.shape[:2]",
                '        grads["x"] = d_x.reshape((steps, batch, -1)).transpose(1, 0, 2)',
                "    return grads",
            ]
        )

    @staticmethod
    def function(name: str, args: list[str], docstring: str, body: list[str]) -> str:
        lines = [JIT, f"def {name}({', '.join(args)}):"]
        lines += [f"    {line}" if line else "" for line in docstring.splitlines()]
        lines += [f"    {line}" for line in body]
        return "\n".join(lines)


class _Step:
    """One step of the backward loop, as code: the driver's bookkeeping, unrolled.

    The driver keeps three dicts of gradients for a step: those arriving at its
    values and states (``arriving``), those going to the previous states
    (``d_previous``) and those of the projections (``d_z[key][t]``). Here each name
    gets one array; its first gradient is written straight into it, and every later
    one is written into a scratch array of its own and then added, in the driver's
    order.
    """

    def __init__(
        self, table: Table, owners: dict[str, str], masked: tuple[str, ...]
    ) -> None:
        self.t = table
        self.owners = owners
        self.masked = masked
        self.values: list[str] = []  # the values that receive a gradient
        self.scratch: dict[str, str] = {}  # scratch array -> its allocation
        self.zeros = False
        self.body: list[str] = []
        # where each gradient is now: arriving at names of the step, going to the
        # previous states, of the projections (the arrays hold the sums so far)
        self.arriving: dict[str, str] = {}
        self.previous: dict[str, str] = {}
        self.projected: dict[str, str] = {}

    def lines(self) -> list[str]:
        t = self.t
        first = t.states[0]
        self.body.append(f"np.add(d_hs[:, t], d_state_{first}, d_total_{first})")
        arriving = [f"d_total_{first}"] + [f"d_state_{s}" for s in t.states[1:]]
        self.body += _padded(
            [f"{name}[row] = 0.0" for name in arriving],
            "no gradient reaches a padded step's values",
        )
        self.arriving = {s: f"d_state_{s}" for s in t.states} | {
            first: f"d_total_{first}"
        }
        for k in reversed(range(len(t.stages))):
            self.stage(k)
        for p in t.projections:  # (a projection no stage reads has no gradient)
            if self.owners[p.key] == p.key and p.key not in self.projected:
                self.body.append(f"d_proj_{p.key}[t] = 0.0")
        for p in t.projections:  # while the step's rows are in the cache
            if p.bias is not None:
                self.body += [
                    "for row in range(batch):",
                    f"    d_param_{p.bias} += d_proj_{self.owners[p.key]}[t, row]",
                ]
        for p in t.projections:
            if p.kind == "state":  # back through the projections of previous states
                self.through_to(self.previous, f"d_prev_{p.source}", p)
        for s in t.states:
            if s not in self.previous:
                self.body.append(f"d_prev_{s}[:] = 0.0")
        self.body += _padded(
            [f"d_prev_{s}[row] = d_last_{s}[row]" for s in t.states],
            "the final states' gradients pass a padded step",
        )
        for s in t.states:
            self.body.append(f"d_state_{s}, d_prev_{s} = d_prev_{s}, d_state_{s}")
        return self.body

    def through(self, p: Projection, out: str) -> list[str]:
        """``out = d_z W^T``: the gradient through projection ``p`` to its vector
        (and back through the dropout mask of a previous state)."""
        lines = [
            _call(
                "np.dot", [f"d_proj_{self.owners[p.key]}[t]", f"weight_T_{p.key}", out]
            )
        ]
        if p.kind == "state" and p.source in self.masked:
            lines += [
                f"if masked_{p.source}:  # back through the dropout mask",
                f"    np.multiply({out}, mask_{p.source}, {out})",
            ]
        return lines

    def stage(self, k: int) -> None:
        t = self.t
        entry, (_, kernel) = t.stages[k], t.kernels[k]
        self.body.append(f"# stage {k + 1}")
        for (
            key
        ) in entry.projections_after:  # back through the projections of its values
            p = t.projection(key)
            self.value(p.source)
            self.through_to(self.arriving, f"d_value_{p.source}", p)
        upstream = []
        for name in entry.outputs:
            if name in self.arriving:
                upstream.append(self.arriving[name])
            else:
                self.zeros = True
                upstream.append("zeros")
        saved = [at_step(t, name) for name in entry.saved]
        outputs: list[str] = []
        after: list[str] = []
        for j, names in enumerate(entry.gradients):
            kind, what = t.inputs[names[0]]
            scratch = f"scratch_{k + 1}_{j}"
            if kind == "projection":
                owner = self.owners[what]
                weight = t.projection(owner).weight
                shape = f"(batch, param_{weight}.shape[1])"
                target, table = f"d_proj_{owner}[t]", self.projected
                what = owner
            elif kind == "state":
                shape, target, table = (
                    "(batch, hidden)",
                    f"d_prev_{what}",
                    self.previous,
                )
            elif kind == "parameter":
                self.scratch[scratch] = "np.empty(hidden, dtype)"
                outputs.append(scratch)
                after.append(f"np.add(d_param_{what}, {scratch}, d_param_{what})")
                continue
            else:  # a value an earlier stage made
                self.value(what)
                shape, target, table = (
                    "(batch, hidden)",
                    f"d_value_{what}",
                    self.arriving,
                )
            if what in table:
                self.scratch[scratch] = f"np.empty({shape}, dtype)"
                outputs.append(scratch)
                after.append(f"np.add({table[what]}, {scratch}, {table[what]})")
            else:
                table[what] = target
                outputs.append(target)
        self.body.append(_call(kernel, upstream + saved + outputs))
        self.body += after

    def value(self, name: str) -> None:
        if name not in self.values and name not in self.t.states:
            self.values.append(name)

    def through_to(self, table: dict[str, str], target: str, p: Projection) -> None:
        """The gradient through ``p`` to its vector: into ``target`` if it is the
        vector's first, else into a scratch array, then added."""
        if p.source in table:
            scratch = f"scratch_{p.key}"
            self.scratch[scratch] = "np.empty((batch, hidden), dtype)"
            self.body += self.through(p, scratch)
            self.body.append(f"np.add({table[p.source]}, {scratch}, {table[p.source]})")
        else:
            table[p.source] = target
            self.body += self.through(p, target)
