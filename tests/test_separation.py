"""What separates people: the exact variance decomposition of a sum, checked by brute force."""

import numpy as np
import pandas as pd
import pytest

from kpilib import separation


def test_shares_sum_to_one_and_equal_a_brute_force_covariance():
    rng = np.random.default_rng(7)
    n = 300
    parts = pd.DataFrame({"a": rng.normal(50, 10, n), "b": rng.normal(20, 3, n)})
    parts["c"] = -0.5 * parts["a"] + rng.normal(0, 2, n)  # runs against a: a negative share
    total = parts.sum(axis=1)
    table = separation.variance_shares(parts.assign(t=total), ["a", "b", "c"], "t").set_index("part")
    assert table["share"].sum() == pytest.approx(1.0, abs=1e-14)
    t = total.to_numpy()
    for name in "abc":
        x = parts[name].to_numpy()
        brute = sum((x[i] - x.mean()) * (t[i] - t.mean()) for i in range(n)) / (n - 1)
        assert table.loc[name, "covariance"] == pytest.approx(brute, rel=1e-12)
        assert table.loc[name, "share"] == pytest.approx(brute / np.var(t, ddof=1), rel=1e-12)
        assert table.loc[name, "correlation"] == pytest.approx(np.corrcoef(x, t)[0, 1], rel=1e-12)
    assert table.loc["c", "share"] < 0
    assert (table["n"] == n).all()


def test_refuses_parts_that_do_not_add_up_and_a_constant_total():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 1.0, 1.0]})
    with pytest.raises(ValueError, match="do not add up"):
        separation.variance_shares(df.assign(t=df.a + df.b + [0, 0, 1]), ["a", "b"], "t")
    with pytest.raises(ValueError, match="same for everyone"):
        separation.variance_shares(pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 1.0], "t": [3.0, 3.0]}), ["a", "b"], "t")
    with pytest.raises(ValueError, match="not in the data"):
        separation.variance_shares(df, ["a", "z"], "b")


def test_composite_parts_add_up_to_the_scored_composite(sample, config):
    from kpilib.scoring import score

    result = score(sample, config, "2026Q3")
    share = config.scheme.scoring.quantitative_share
    for dept in ("sales", "customer_service"):
        lines = result.lines[result.lines["department"] == dept]
        sheet = result.sheet[result.sheet["department"] == dept]
        parts = separation.composite_parts(lines, sheet, share)
        kpis = [c for c in parts.columns if c not in ("employee_id", "composite")]
        assert parts[kpis].sum(axis=1).to_numpy() == pytest.approx(parts["composite"].to_numpy(), abs=1e-9)
        assert parts[separation.OTHER].abs().max() < 0.1  # rounding only: every sample line is present
        table = separation.variance_shares(parts, kpis, "composite")
        assert table["share"].sum() == pytest.approx(1.0, abs=1e-12)
