"""A small safe evaluator for KPI formulas written in the catalogue.

Grammar (a subset of Python expressions, parsed with :mod:`ast` and interpreted here,
never passed to ``eval``): measure names, numbers, ``+ - * /``, unary minus, parentheses
and the functions

- ``lag(x, n)``: ``x`` evaluated ``n`` periods of the same grain earlier;
- ``yoy(x)``: ``x / x_same_period_last_year - 1`` (growth, e.g. 销售增长率);
- ``qoq(x)``: ``x / x_previous_period - 1``;
- ``min(a, b, ...)``, ``max(a, b, ...)``, ``abs(x)``.

A formula nests at most ``MAX_DEPTH`` operations deep (a chain ``a + b + c`` is one level
per term), so that parsing and evaluating it stay within Python's recursion limit.

Values are vectors (one per entity). A division by zero, or a measure with no data,
gives a missing value together with a reason, never ``inf``: a code and its parameters,
``("division_by_zero", {"expression": "b", "period": "2025Q3"})`` or ``("no_data",
{"measure": "b", "period": "2025Q3"})``, written in words by `kpilib.messages.render`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpilib.periods import Span

FUNCTIONS: dict[str, tuple[int, int | None]] = {  # name: (min args, max args)
    "lag": (2, 2), "yoy": (1, 1), "qoq": (1, 1), "min": (2, None), "max": (2, None), "abs": (1, 1),
}
_BINARY = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply}
MAX_DEPTH = 100


class FormulaError(ValueError):
    """A formula that does not parse, or names something unknown; says where (1-based column)."""

    def __init__(self, message: str, formula: str, position: int | None = None):
        self.formula, self.position = formula, position
        at = f" at position {position}" if position is not None else ""
        shown = formula if len(formula) <= 80 else formula[:77] + "..."
        super().__init__(f"{message}{at} in {shown!r}")


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its text, syntax tree and the measure names it uses."""

    text: str
    tree: ast.Expression
    measures: tuple[str, ...]

    def segment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or self.text


def parse_formula(text: str, known_measures: set[str] | None = None) -> Formula:
    """Parse and check a formula; raise `FormulaError` with the position of the first fault."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("empty formula", str(text))
    text = text.strip()
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"syntax error ({exc.msg})", text, exc.offset or len(text) + 1) from None
    except RecursionError:
        raise FormulaError(_TOO_DEEP, text) from None
    names: list[str] = []
    _check(tree.body, text, names, known_measures)
    return Formula(text, tree, tuple(dict.fromkeys(names)))


_TOO_DEEP = (f"more than {MAX_DEPTH} nested operations (each term of a + - chain is one); "
             "add such measures up in the data, or split the formula")


def _check(node: ast.AST, text: str, names: list[str], known: set[str] | None, depth: int = 0) -> None:
    pos = getattr(node, "col_offset", -1) + 1
    if depth > MAX_DEPTH:
        raise FormulaError(_TOO_DEEP, text, pos)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError(f"only numbers are allowed as constants, not {node.value!r}", text, pos)
    elif isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise FormulaError(f"function {node.id!r} used without arguments", text, pos)
        if known is not None and node.id not in known:
            raise FormulaError(f"unknown measure {node.id!r}", text, pos)
        names.append(node.id)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in (*_BINARY, ast.Div):
            raise FormulaError("only + - * / are allowed", text, pos)
        _check(node.left, text, names, known, depth + 1)
        _check(node.right, text, names, known, depth + 1)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise FormulaError("only unary minus is allowed", text, pos)
        _check(node.operand, text, names, known, depth + 1)
    elif isinstance(node, ast.Call):
        fname = node.func.id if isinstance(node.func, ast.Name) else None
        if fname not in FUNCTIONS or node.keywords:
            raise FormulaError(f"unknown function {fname or ast.unparse(node.func)!r}; "
                               f"allowed: {', '.join(FUNCTIONS)}", text, pos)
        low, high = FUNCTIONS[fname]
        if len(node.args) < low or (high is not None and len(node.args) > high):
            raise FormulaError(f"{fname}() takes {low if low == high else f'at least {low}'} "
                               f"argument(s), got {len(node.args)}", text, pos)
        if fname == "lag":
            n = node.args[1]
            if not (isinstance(n, ast.Constant) and isinstance(n.value, int) and n.value > 0):
                raise FormulaError("lag(x, n) needs a whole number n ≥ 1", text, pos)
            _check(node.args[0], text, names, known, depth + 1)
        else:
            for arg in node.args:
                _check(arg, text, names, known, depth + 1)
    else:
        raise FormulaError(f"{type(node).__name__} is not allowed", text, pos)


FrameFor = Callable[[Span], pd.DataFrame]


class _Evaluation:
    """Evaluates one formula for one span over a fixed entity index, tracking reasons."""

    def __init__(self, formula: Formula, frame_for: FrameFor, index: pd.Index):
        self.formula, self.frame_for, self.index = formula, frame_for, index
        self.reason = np.full(len(index), None, dtype=object)  # (code, parameters) of the first problem met
        self.rows: dict[Span, np.ndarray] = {}  # per span, each entity's row in its measures (-1: none)

    def note(self, mask: np.ndarray, why: tuple[str, dict]) -> None:
        for row in np.flatnonzero(mask & (self.reason == None)):  # noqa: E711 - elementwise
            self.reason[row] = why

    def measure(self, name: str, span: Span) -> np.ndarray:
        """The entities' aggregated `name` over `span` (NaN where they have none)."""
        frame = self.frame_for(span)
        if name not in frame.columns:
            return np.full(len(self.index), np.nan)
        if span not in self.rows:
            self.rows[span] = frame.index.get_indexer(self.index)
        rows = self.rows[span]
        return np.where(rows >= 0, frame[name].to_numpy(dtype=float)[rows], np.nan)

    def run(self, node: ast.AST, span: Span) -> np.ndarray:
        if isinstance(node, ast.Constant):
            return np.full(len(self.index), float(node.value))
        if isinstance(node, ast.Name):
            values = self.measure(node.id, span)
            self.note(np.isnan(values), ("no_data", {"measure": node.id, "period": str(span)}))
            return values
        if isinstance(node, ast.UnaryOp):
            value = self.run(node.operand, span)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp):
            left, right = self.run(node.left, span), self.run(node.right, span)
            if isinstance(node.op, ast.Div):
                return self.divide(left, right, self.formula.segment(node.right), span)
            return _BINARY[type(node.op)](left, right)
        return self.call(node, span)

    def divide(self, num: np.ndarray, den: np.ndarray, expression: str, span: Span) -> np.ndarray:
        zero = den == 0
        self.note(zero, ("division_by_zero", {"expression": expression, "period": str(span)}))
        with np.errstate(divide="ignore", invalid="ignore"):
            out = num / den
        out[zero] = np.nan
        return out

    def call(self, node: ast.Call, span: Span) -> np.ndarray:
        name, args = node.func.id, node.args
        if name == "lag":
            return self.run(args[0], span.shift(-args[1].value))
        if name in ("yoy", "qoq"):
            earlier = span.year_ago() if name == "yoy" else span.shift(-1)
            now, before = self.run(args[0], span), self.run(args[0], earlier)
            segment = self.formula.segment(args[0])
            return self.divide(now, before, segment, earlier) - 1.0
        values = [self.run(a, span) for a in args]
        if name == "abs":
            return np.abs(values[0])
        reduce = np.minimum if name == "min" else np.maximum
        out = values[0]
        for v in values[1:]:
            out = reduce(out, v)
        return out


def evaluate(formula: Formula, frame_for: FrameFor, span: Span,
             index: pd.Index) -> tuple[pd.Series, pd.Series]:
    """Evaluate `formula` for `span` over entities `index`.

    `frame_for(span)` returns the measures aggregated over a span: one row per entity,
    one column per measure. Returns (values, reason): values are float with NaN where
    missing; reason says why for each NaN, (code, parameters) (None elsewhere).
    """
    ev = _Evaluation(formula, frame_for, index)
    values = np.asarray(ev.run(formula.tree.body, span), dtype=float)
    reason = np.where(np.isnan(values), ev.reason, None)
    return pd.Series(values, index=index, dtype=float), pd.Series(reason, index=index, dtype=object)


def lag_spans(formula: Formula, span: Span) -> list[Span]:
    """Every span the formula reads when evaluated for `span` (span itself first)."""
    found: list[Span] = [span]

    def walk(node: ast.AST, at: Span) -> None:
        if isinstance(node, ast.Call):
            name = node.func.id
            if name == "lag":
                walk(node.args[0], at.shift(-node.args[1].value))
                return
            if name in ("yoy", "qoq"):
                earlier = at.year_ago() if name == "yoy" else at.shift(-1)
                for s in (at, earlier):
                    walk(node.args[0], s)
                return
        if isinstance(node, ast.Name) and at not in found:
            found.append(at)
        for child in ast.iter_child_nodes(node):
            walk(child, at)

    walk(formula.tree.body, span)
    return found
