"""Numbers as people type them in spreadsheets: `95.6%` is 0.956, `1,234,567.89` has
thousands separators, and `1,5` is ambiguous (1.5 with a decimal comma, or 15?)."""

from __future__ import annotations

import numpy as np
import pandas as pd

THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?%?"  # 1,234,567.89; any other comma is ambiguous


def parse_numbers(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Distinct cell texts → (numbers, problem): NaN and the message for text that is no number.

    `95.6%` is 0.956; `1,234` is 1234; `1,5` is an error (1.5 with a decimal comma, or 15?)."""
    comma = text.str.contains(",", regex=False)
    ambiguous = comma & ~text.str.fullmatch(THOUSANDS)
    bare = text.str.replace(",", "", regex=False)
    parsed = pd.to_numeric(bare.str.rstrip("%"), errors="coerce")
    parsed = parsed.where(~bare.str.endswith("%"), parsed / 100).to_numpy(dtype=float)
    boolean = text.str.lower().isin(["true", "false"]).to_numpy()
    problem = np.where(ambiguous, "a number; ambiguous decimal comma: write 1.5 or 15 (1,234 is read as 1234)",
                       np.where(boolean, "a number, not true/false",
                                np.where(np.isnan(parsed) & (text != "").to_numpy(), "a number", "")))
    return np.where(problem == "", parsed, np.nan), problem
