"""Problems found in a user's data or parameters, collected and reported all at once.

A problem names where it is (file, row as the user counts it in Excel: header = row 1,
column or key), the value found and what was expected. Errors stop the run; warnings
say what was ignored or assumed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One problem: where, what was found, what was expected."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    severity: str = ERROR

    def where(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        found = f" found '{self.value}';" if self.value not in (None, "") else ""
        return f"{self.severity}: {self.where()}:{found} {self.expected}"


@dataclass
class Problems:
    """A collector of problems; `raise_if_errors()` turns errors into a `UserError`."""

    items: list[Problem] = field(default_factory=list)

    def error(self, file: str, expected: str, row: int | None = None,
              column: str | None = None, value: object = None) -> None:
        self.items.append(Problem(file, row, column, _text(value), expected, ERROR))

    def warn(self, file: str, expected: str, row: int | None = None,
             column: str | None = None, value: object = None) -> None:
        self.items.append(Problem(file, row, column, _text(value), expected, WARNING))

    def add_rows(self, file: str, rows: Iterable[int], columns: Iterable[str | None],
                 values: Iterable[object], expected: str, severity: str = ERROR) -> None:
        """Add one problem per offending row (rows are Excel row numbers, one column each)."""
        for row, column, value in zip(rows, columns, values, strict=True):
            self.items.append(Problem(file, int(row), column, _text(value), expected, severity))

    def extend(self, other: Problems) -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == WARNING]

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def to_frame(self) -> pd.DataFrame:
        """Columns: severity, file, row, column, value, expected (errors first)."""
        import pandas as pd  # here: a command that finds nothing to do never loads pandas

        cols = ["severity", "file", "row", "column", "value", "expected"]
        if not self.items:
            return pd.DataFrame(columns=cols)
        frame = pd.DataFrame([asdict(p) for p in self.items])[cols]
        frame["row"] = frame["row"].astype("Int64")
        order = frame["severity"].map({ERROR: 0, WARNING: 1})
        return frame.assign(_o=order).sort_values(["_o"], kind="stable").drop(columns="_o")

    def raise_if_errors(self, what: str = "input") -> None:
        if self.errors:
            raise UserError(f"{len(self.errors)} problem(s) in the {what}", self)


class UserError(Exception):
    """A mistake in the user's data, parameters or command: explained, never a traceback.

    The CLI prints the message and every problem, and exits 1.
    """

    def __init__(self, message: str, problems: Problems | None = None):
        super().__init__(message)
        self.problems = problems or Problems()

    def __str__(self) -> str:
        lines = [self.args[0]]
        lines += [f"  {p}" for p in self.problems.items]
        return "\n".join(lines)


def _text(value: object) -> str | None:
    if value is None:
        return None
    import pandas as pd

    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    text = str(value)
    if not text.isprintable():  # make zero-width spaces, BOMs and control characters visible
        text = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
    return text if len(text) <= 80 else text[:77] + "..."
