"""Beyond the scorecard: the mixed model checked on simulated data and against statsmodels."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from kpilib import mixed

EFFECTS = {"region=S": 4.0, "region=W": -3.0, "role_layer=management": 6.0}
TEAM_SD, NOISE_SD = 3.0, 5.0


def company(seed=0, teams=40, size=12):
    """People in teams with planted fixed effects and a planted team variance."""
    rng = np.random.default_rng(seed)
    n = teams * size
    team = np.repeat([f"t{i:02d}" for i in range(teams)], size)
    region = rng.choice(["N", "S", "W"], n, p=[0.5, 0.3, 0.2])
    role = np.where(rng.random(n) < 0.25, "management", "execution")
    u = dict(zip(np.unique(team), rng.normal(0, TEAM_SD, teams), strict=True))
    y = (70 + np.select([region == "S", region == "W"], [EFFECTS["region=S"], EFFECTS["region=W"]], 0.0)
         + np.where(role == "management", EFFECTS["role_layer=management"], 0.0)
         + pd.Series(team).map(u).to_numpy() + rng.normal(0, NOISE_SD, n))
    return pd.DataFrame({"team": team, "region": region, "role_layer": role, "composite": y})


def test_planted_effects_fall_in_their_intervals_and_the_team_variance_is_found():
    df = company(1)
    table = mixed.effects(mixed.fit(df, "composite", ["region", "role_layer"])).set_index("term")
    for term, truth in EFFECTS.items():
        assert table.loc[term, "ci_low"] <= truth <= table.loc[term, "ci_high"], term
    parts = mixed.variance_parts(mixed.fit(df, "composite", ["region", "role_layer"])).set_index("component")
    assert parts.loc["team", "variance"] == pytest.approx(TEAM_SD**2, rel=0.5)
    assert parts.loc["residual", "variance"] == pytest.approx(NOISE_SD**2, rel=0.15)
    assert parts["share"].sum() == pytest.approx(1.0, abs=1e-12)


def test_intervals_cover_the_planted_effects_about_95_percent_of_the_time():
    hits = [all(r.ci_low <= EFFECTS[r.term] <= r.ci_high for r in
                mixed.effects(mixed.fit(company(seed), "composite", ["region", "role_layer"])).itertuples())
            for seed in range(20)]
    assert np.mean(hits) >= 0.7  # three intervals at once: 0.95³ ≈ 0.86 expected


def test_equal_to_statsmodels_own_formula_fit():
    df = company(3)
    ours = mixed.fit(df, "composite", ["region", "role_layer"])
    direct = smf.mixedlm("composite ~ C(region, Treatment('N')) + C(role_layer, Treatment('execution'))",
                         df, groups=df["team"]).fit(reml=True)
    table = mixed.effects(ours).set_index("term")
    named = {"region=S": "C(region, Treatment('N'))[T.S]", "region=W": "C(region, Treatment('N'))[T.W]",
             "role_layer=management": "C(role_layer, Treatment('execution'))[T.management]"}
    for term, theirs in named.items():
        assert table.loc[term, "estimate"] == pytest.approx(direct.fe_params[theirs], abs=1e-6)
        assert table.loc[term, "se"] == pytest.approx(direct.bse_fe[theirs], rel=1e-5)
        assert table.loc[term, "p_val"] == pytest.approx(direct.pvalues[theirs], rel=1e-4)
        assert [table.loc[term, "ci_low"], table.loc[term, "ci_high"]] == pytest.approx(
            list(direct.conf_int().loc[theirs]), rel=1e-5)
    assert (table["flag"] == "").all()
    assert ours.cov_re.iloc[0, 0] == pytest.approx(direct.cov_re.iloc[0, 0], rel=1e-5)
    assert ours.scale == pytest.approx(direct.scale, rel=1e-6)
    fixed = np.var(direct.model.exog @ direct.fe_params.to_numpy())
    parts = mixed.variance_parts(ours).set_index("component")
    assert parts.loc["fixed", "variance"] == pytest.approx(fixed, rel=1e-6)


def test_a_variance_the_fit_cannot_estimate_leaves_a_blank_interval_with_a_reason():
    import types
    import warnings

    names = ["const", "region=S", "region=W"]
    cov = pd.DataFrame(np.diag([1.0, 4.0, -0.5]), index=names, columns=names)  # a degenerate fit's negative variance
    result = types.SimpleNamespace(fe_params=pd.Series([10.0, 2.0, 1.0], index=names), cov_params=lambda: cov)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "invalid value encountered in sqrt" reaches a page
        table = mixed.effects(result).set_index("term")
    assert table.loc["region=S", "se"] == 2.0 and table.loc["region=S", "flag"] == ""
    assert table.loc["region=S", "ci_low"] == pytest.approx(2.0 - 1.959964 * 2.0, abs=1e-5)  # z(0.975) by hand
    blank = table.loc["region=W"]
    assert blank[["se", "ci_low", "ci_high", "p_val"]].isna().all() and blank["flag"] == mixed.UNESTIMABLE
    assert blank["estimate"] == 1.0


def test_supervisor_component_when_it_is_separable():
    df = company(4, teams=30)
    rng = np.random.default_rng(9)
    bosses = [f"s{i}" for i in range(15)]
    df["supervisor"] = rng.choice(bosses, len(df))  # crossed with teams
    boss_effect = dict(zip(bosses, rng.normal(0, 4.0, 15), strict=True))
    df["composite"] += df["supervisor"].map(boss_effect)
    assert mixed.separable(df) and not mixed.separable(df.assign(supervisor=df["team"]))
    parts = mixed.variance_parts(mixed.fit(df, "composite", ["region"], other="supervisor")).set_index("component")
    assert set(parts.index) == {"fixed", "team", "supervisor", "residual"}
    planted = np.var(list(boss_effect.values()), ddof=1)
    assert parts.loc["supervisor", "variance"] == pytest.approx(planted, rel=0.5)
    direct = smf.mixedlm("composite ~ C(region, Treatment('N'))", df.assign(one=1), groups="one", re_formula="0",
                         vc_formula={"team": "0 + C(team)", "supervisor": "0 + C(supervisor)"}).fit(reml=True)
    theirs = dict(zip(direct.model.exog_vc.names, direct.vcomp, strict=True))
    assert parts.loc["supervisor", "variance"] == pytest.approx(theirs["supervisor"], rel=1e-4)
    assert parts.loc["team", "variance"] == pytest.approx(theirs["team"], rel=1e-4)


def test_factor_lmg_sums_to_the_fixed_r2_and_equals_an_ols_by_every_order():
    import statsmodels.api as sm

    df = company(5)
    df["tenure_band"] = np.random.default_rng(1).choice(["a", "b", "c"], len(df))
    factors = ["region", "role_layer", "tenure_band"]
    table = mixed.factor_importance(df, "composite", factors, n=50, seed=2).set_index("factor")
    x, groups = mixed.design(df, factors)

    def r2(fs):
        cols = [c for f in fs for c in groups[f]]
        return sm.OLS(df["composite"], sm.add_constant(x[cols])).fit().rsquared if cols else 0.0

    from itertools import permutations
    orders = list(permutations(factors))
    for f in factors:
        brute = np.mean([r2(o[: o.index(f) + 1]) - r2(o[: o.index(f)]) for o in orders])
        assert table.loc[f, "lmg"] == pytest.approx(brute, abs=1e-10)
    assert table["lmg"].sum() == pytest.approx(r2(factors), abs=1e-10)
    assert (table["ci_low"] <= table["lmg"]).all() and (table["lmg"] <= table["ci_high"]).all()
    again = mixed.factor_importance(df, "composite", factors, n=50, seed=2).set_index("factor")
    pd.testing.assert_frame_equal(table, again)


def test_refuses_small_groups_and_leaves_out_thin_factors():
    df = company(6, teams=3, size=8)
    assert mixed.refusal(df) == "too_few_people"
    assert mixed.refusal(company(6, teams=4, size=10)) == "too_few_teams"
    assert mixed.refusal(company(6)) == ""
    thin = company(6).assign(region=lambda d: np.where(np.arange(len(d)) < 3, "X", "N"))
    used = mixed.usable_factors(thin, ["region", "role_layer"]).set_index("factor")
    assert not used.loc["region", "used"] and used.loc["region", "smallest"] == 3
    assert used.loc["role_layer", "used"]


def test_person_factors_bands():
    people = pd.DataFrame({"employee_id": list("abcd"), "region": "N", "role_layer": "execution", "manager_id": "m",
                           "hire_date": ["2026-01-01", "2025-06-30", "2022-01-01", "2019-06-30"]})
    out = mixed.person_factors(people, pd.Timestamp("2026-06-30"))
    assert list(out["tenure_band"]) == ["tenure 0-2", "tenure 0-2", "tenure 2-5", "tenure 5+"]
    assert list(out["new_hire"]) == ["new hire", "not new", "not new", "not new"]
