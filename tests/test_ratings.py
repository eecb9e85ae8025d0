"""Rater calibration against published and independent references, and on the sample."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpilib import rater_model as M
from kpilib import rating_patterns as P
from kpilib import ratings as R
from kpilib import synth

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges
SF = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], dtype=float)
SF_PUBLISHED = {"ICC1": 0.17, "ICC2": 0.29, "ICC3": 0.71, "ICC1k": 0.44, "ICC2k": 0.62, "ICC3k": 0.91}


def test_icc_matches_shrout_fleiss():
    n, k = SF.shape
    grand = SF.mean()
    bms = k * ((SF.mean(axis=1) - grand) ** 2).sum() / (n - 1)
    jms = n * ((SF.mean(axis=0) - grand) ** 2).sum() / (k - 1)
    wms = ((SF - SF.mean(axis=1, keepdims=True)) ** 2).sum() / (n * (k - 1))
    ems = (((SF - SF.mean(axis=1, keepdims=True) - SF.mean(axis=0) + grand) ** 2).sum()) / ((n - 1) * (k - 1))
    assert [round(v, 2) for v in (bms, wms, jms, ems)] == [11.24, 6.26, 32.49, 1.02]  # their Table 3
    hand = {"ICC1": (bms - wms) / (bms + (k - 1) * wms),
            "ICC2": (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n),
            "ICC3": (bms - ems) / (bms + (k - 1) * ems),
            "ICC1k": (bms - wms) / bms, "ICC2k": (bms - ems) / (bms + (jms - ems) / n), "ICC3k": (bms - ems) / bms}
    long = pd.DataFrame([{"target": t, "judge": j, "score": SF[t, j]} for t in range(n) for j in range(k)])
    result = P.icc(long, "target", "judge", "score").set_index("type")["icc"]
    for name, value in hand.items():
        assert result[name] == pytest.approx(value, abs=1e-4)
        assert round(result[name], 2) == pytest.approx(SF_PUBLISHED[name], abs=0.005)


@pytest.fixture(scope="module")
def company():
    return synth.generate()


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """The sample company scored over its history (the page's input)."""
    from kpilib.workbench import open_workbench

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KPIREPORT_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield open_workbench("2026Q3", "all")


def performance_of(wb):
    return wb.history[["employee_id", "period", "quantitative"]].rename(columns={"quantitative": "performance"})


def test_planted_lenient_and_severe_supervisors_are_found(scored, company):
    table = R.rater_leniency(scored.dataset.ratings, performance=performance_of(scored))
    flagged = table[table["flag"] != ""]
    assert sorted(flagged.loc[flagged["flag"] == "lenient", "rater_id"]) == company.truth["lenient_supervisors"]
    assert sorted(flagged.loc[flagged["flag"] == "severe", "rater_id"]) == company.truth["severe_supervisors"]
    assert (flagged["ci_low"] * flagged["ci_high"] > 0).all()
    assert table.loc[table["reason"] == "", "leniency"].abs().sort_values().iloc[-5] < 0.5  # the rest well inside


def self_and_supervisor(bias: dict[str, float] | None = None, supervisors: int = 8, team: int = 8,
                        periods: int = 4, seed: int = 1) -> pd.DataFrame:
    """A company rated only by self (+1 inflated) and one supervisor per ratee (unbiased
    unless `bias` says so); team quality differs, and the quantitative score tracks it."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(supervisors):
        sup = f"S{s}"
        team_level = rng.normal(0, 0.3)
        for e in range(team):
            ratee, true = f"{sup}E{e}", 3.2 + team_level + rng.normal(0, 0.4)
            for p in range(periods):
                level, period = true + rng.normal(0, 0.2), f"2025Q{p + 1}"
                perf = 90 + 25 * (level - 3.2) + rng.normal(0, 3)
                for c in ("collaboration", "innovation", "responsibility"):
                    for kind, rater, shift in (("self", ratee, 1.0), ("supervisor", sup, (bias or {}).get(sup, 0.0))):
                        score = float(np.clip(np.rint(level + shift + rng.normal(0, 0.4)), 1, 5))
                        rows.append({"period": period, "employee_id": ratee, "rater_type": kind, "rater_id": rater,
                                     "criterion": c, "score": score, "performance": perf})
    return pd.DataFrame(rows)


def split(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return frame.drop(columns="performance"), frame[["employee_id", "period", "performance"]].drop_duplicates()


def test_supervisors_are_not_judged_against_inflated_self_ratings():
    ratings, performance = split(self_and_supervisor())
    table = R.rater_leniency(ratings, performance=performance)
    assert len(table) == 8 and (table["reason"] == "").all() and (table["flag"] == "").all()
    assert table["leniency"].abs().max() < 0.25
    # what went wrong before: against the ratee's other raters (self only), every supervisor is ~1 point severe
    wide = ratings.pivot_table(index=["employee_id", "period", "criterion"], columns="rater_type", values="score")
    assert (wide["supervisor"] - wide["self"]).mean() < -0.8


def test_one_planted_lenient_supervisor_among_several():
    ratings, performance = split(self_and_supervisor(bias={"S3": 1.0}))
    table = R.rater_leniency(ratings, performance=performance).set_index("rater_id")
    assert table.loc["S3", "flag"] == "lenient"
    assert (table.drop(index="S3")["flag"] == "").all()


def test_leniency_against_statsmodels_ols():
    """Each rating's reference is an OLS line fitted on the other supervisors' ratings of
    its (criterion, period); the rater's leniency is the mean of per-ratee mean deviations
    with a t interval over ratees."""
    import statsmodels.api as sm
    from scipy import stats

    frame = self_and_supervisor(bias={"S3": 0.6}, supervisors=4, team=5, periods=2)
    ratings, performance = split(frame)
    table = R.rater_leniency(ratings, performance=performance).set_index("rater_id")
    sup = frame[frame["rater_type"] == "supervisor"]
    for rater in ("S3", "S0"):
        deviations = []
        for (_, _), cell in sup.groupby(["period", "criterion"]):
            others, mine = cell[cell["rater_id"] != rater], cell[cell["rater_id"] == rater]
            fit = sm.OLS(others["score"], sm.add_constant(others["performance"])).fit()
            predicted = fit.predict(sm.add_constant(mine["performance"], has_constant="add"))
            deviations.append(mine.assign(d=mine["score"] - predicted))
        per_ratee = pd.concat(deviations).groupby("employee_id")["d"].mean()
        m, mean = len(per_ratee), per_ratee.mean()
        half = stats.t.ppf(0.975, m - 1) * per_ratee.std(ddof=1) / np.sqrt(m)
        row = table.loc[rater]
        assert (row["ratees"], row["n"]) == (5, 5 * 2 * 3)
        assert row["leniency"] == pytest.approx(mean) and row["ci_low"] == pytest.approx(mean - half)
        assert row["ci_high"] == pytest.approx(mean + half) and row["basis"] == "comparable_ratees"


def test_same_ratee_reference_by_hand():
    # 12 ratees each rated by three supervisors: S gives 5 or 4, P1 3 and P2 4 → S's deviation 5 − 3.5 or 4 − 3.5
    rows = []
    for i in range(12):
        for rater, score in (("S", 5 if i % 2 else 4), ("P1", 3), ("P2", 4)):
            rows.append({"period": "2025Q3", "employee_id": f"A{i}", "rater_type": "supervisor", "rater_id": rater,
                         "criterion": "c", "score": score})
    rows += [{**r, "rater_type": "self", "rater_id": r["employee_id"], "score": 1} for r in rows[:12]]  # never used
    table = R.rater_leniency(pd.DataFrame(rows)).set_index("rater_id")
    d = np.array([1.5 if i % 2 else 0.5 for i in range(12)])
    half = 2.200985 * d.std(ddof=1) / np.sqrt(12)  # t(0.975, 11)
    assert table.loc["S", "leniency"] == pytest.approx(1.0) and table.loc["S", "basis"] == "same_ratee"
    assert table.loc["S", "ci_low"] == pytest.approx(1.0 - half, abs=1e-5) and table.loc["S", "flag"] == "lenient"
    assert table.loc["P1", "leniency"] == pytest.approx(np.mean([3 - 4.5, 3 - 4] * 6))  # 3 − mean(S, P2)


def test_no_comparison_and_too_few_give_a_reason_not_a_flag():
    ratings, _ = split(self_and_supervisor(supervisors=1))
    table = R.rater_leniency(ratings)
    assert table[["rater_id", "flag", "reason"]].to_dict("records") == [{"rater_id": "S0", "flag": "",
                                                                          "reason": "no_comparison"}]
    assert table["leniency"].isna().all()
    ratings, _ = split(self_and_supervisor(supervisors=3, team=2))
    assert (R.rater_leniency(ratings)["reason"] == "too_few").all()


@pytest.mark.parametrize("blank", ["", "   ", "nan", "NaN", "None", None, np.nan])
def test_blank_rater_ids_are_unknown_not_one_rater(blank):
    ratings, performance = split(self_and_supervisor(seed=3))
    sup = ratings.index[ratings["rater_type"] == "supervisor"]
    blanked = ratings.copy().astype({"rater_id": object})
    hidden = sup[::7]  # a share of every supervisor's ratings
    blanked.loc[hidden, "rater_id"] = blank
    table = R.rater_leniency(blanked, performance=performance)
    assert sorted(table["rater_id"]) == [f"S{s}" for s in range(8)]
    assert not table.attrs and (~R.known_rater(blanked["rater_id"])).sum() == len(hidden)
    # the same as if those ratings were not there: never pooled, never a reference
    expected = R.rater_leniency(ratings.drop(index=hidden), performance=performance)
    pd.testing.assert_frame_equal(table, expected)
    assert R.known_rater(pd.Series(["E1", " ", blank], dtype=object)).tolist() == [True, False, False]
    assert set(P.rating_distribution(blanked, min_ratings=1)["rater_id"]) == {f"S{s}" for s in range(8)}
    assert set(P.halo(blanked)["rater_id"]) == {f"S{s}" for s in range(8)}


def printed_rule(row, threshold: float) -> str:
    """The rule as the page prints it, read back from the printed numbers."""
    from kpilib.display import _format

    est, low, high = (float(_format(c, set())(row[c])) for c in ("leniency", "ci_low", "ci_high"))
    return "lenient" if low > 0 and est >= threshold else "severe" if high < 0 and est <= -threshold else ""


@pytest.mark.parametrize(("estimate", "low", "high", "flag"), [
    (0.4951, 0.004, 0.99, ""),          # prints +0.50 and +0.00: the interval touches 0
    (0.495, 0.005, 0.99, "lenient"),     # prints +0.50 and +0.01 (half up)
    (0.494, 0.2, 0.8, ""),               # prints +0.49: under the threshold
    (-0.495, -0.99, -0.005, "severe"),
    (-0.6, -1.2, 0.004, ""),
    (-0.6, -1.2, -0.004, ""),            # ci_high prints +0.00 (never -0.00): touches 0
    (np.nan, np.nan, np.nan, ""),
])
def test_flag_is_the_printed_rule_at_the_edges(estimate, low, high, flag):
    assert R.leniency_flag(estimate, low, high) == flag
    if not np.isnan(estimate):
        assert printed_rule({"leniency": estimate, "ci_low": low, "ci_high": high}, R.LENIENCY_THRESHOLD) == flag


def test_flags_agree_with_the_printed_rule_on_every_row(scored):
    from kpilib import narrate, sections
    from kpilib.display import _format
    from kpilib.workbench import open_workbench

    frames = [R.rater_leniency(scored.dataset.ratings, performance=performance_of(scored)),
              R.rater_leniency(split(self_and_supervisor(bias={"S1": -0.7, "S2": 0.5}))[0])]
    sales = open_workbench("2026Q3", "sales")
    frames.append(sections.rater_table(sales))
    for table in frames:
        judged = table.dropna(subset=["leniency"])
        assert len(judged)
        for _, row in judged.iterrows():
            assert row["flag"] == printed_rule(row, R.LENIENCY_THRESHOLD)
    basis = sections.rater_basis(sales)
    assert basis[["flag_threshold", "interval_level"]].iloc[0].tolist() == [R.LENIENCY_THRESHOLD, 0.95]
    assert basis["judged"].iloc[0] == len(frames[-1]) and not any(f.attrs for f in frames)
    text = narrate.raters(sales, frames[-1], basis, sections.raters_not_judged(sales))
    assert "0.50" in text and "95%" in text
    printed = {c: _format(c, set()) for c in ("leniency", "ci_low", "ci_high")}
    flagged = frames[-1][frames[-1]["flag"] != ""]
    assert len(flagged) == 2
    for row in flagged.itertuples():
        shown = {c: printed[c](getattr(row, c)) for c in printed}
        assert (f"{row.rater_name}（{'偏宽' if row.flag == 'lenient' else '偏严'}，{shown['leniency']}，区间 "
                f"{shown['ci_low']} 至 {shown['ci_high']}）") in text


def test_self_ratings_run_higher_than_supervisors(company):
    gap = P.self_supervisor_gap(company.ratings)
    assert gap["gap"].mean() > 0.2  # planted self-inflation of +0.4
    teams = P.self_supervisor_gap(company.ratings, company.employees, by="team")
    assert {"team", "people", "mean_gap", "share_overrating"} <= set(teams.columns)


def test_distribution_halo_central_tendency(company):
    dist = P.rating_distribution(company.ratings)
    assert np.allclose(dist[["s1", "s2", "s3", "s4", "s5"]].sum(axis=1), 1)
    lenient = dist.set_index("rater_id").loc[company.truth["lenient_supervisors"]]
    assert (lenient["s4"] + lenient["s5"] > dist["s4"].add(dist["s5"]).median()).all()
    h = P.halo(company.ratings)
    assert h["halo"].between(-1, 1).all()


def test_rater_effects_model(company):
    variance = M.rating_variance(company.ratings, rater_types=("supervisor",))
    effects = M.rater_effects(company.ratings, rater_types=("supervisor",))
    assert list(variance.columns) == ["component", "variance", "share"]
    assert list(effects.columns) == ["rater_id", "effect", "n"]
    assert variance["share"].sum() == pytest.approx(1)
    top = effects.head(2)["rater_id"].tolist()
    bottom = effects.tail(2)["rater_id"].tolist()
    assert sorted(top) == company.truth["lenient_supervisors"]
    assert sorted(bottom) == company.truth["severe_supervisors"]
    adjusted = M.calibrated(company.ratings, effects)
    sup = adjusted[adjusted["rater_type"] == "supervisor"]
    lenient = sup[sup["rater_id"].isin(company.truth["lenient_supervisors"])]
    assert lenient["score"].mean() < lenient["raw_score"].mean()


def test_calibrated_scoring_moves_lenient_supervisors_ratees_down(sample, config):
    from kpilib.scoring import score

    calibrated = M.calibrate_dataset(sample)
    raw = score(sample, config, "2026Q3").sheet.set_index("employee_id")
    adjusted = score(calibrated, config, "2026Q3").sheet.set_index("employee_id")
    lenient = company_truth()["lenient_supervisors"]
    ratees = sample.employees.loc[sample.employees["manager_id"].isin(lenient), "employee_id"]
    ratees = [e for e in ratees if e in raw.index]
    assert (adjusted.loc[ratees, "qualitative"] <= raw.loc[ratees, "qualitative"]).all()
    assert (adjusted.loc[ratees, "qualitative"] < raw.loc[ratees, "qualitative"]).mean() > 0.8


def company_truth():
    return synth.generate().truth


@pytest.mark.parametrize(("lang", "not_judged", "says"), [
    ("zh", ("董红", "no_comparison"), "没有其他上级评过可比的人，未做宽严判定。"),
    ("en", ("E1", "too_few"), "There are too few ratings (at least 3 ratees per supervisor are needed), "
                              "so no leniency is judged."),
])
def test_page_says_in_one_sentence_when_nothing_is_judged(lang, not_judged, says):
    from types import SimpleNamespace

    from kpilib import narrate

    table = pd.DataFrame(columns=["rater_id", "rater_name", "ratings", "ratees", "leniency", "ci_low", "ci_high", "flag"])
    name, reason = not_judged
    basis = pd.DataFrame([{"raters": 1, "judged": 0, "flagged": 0, "too_few": int(reason == "too_few"),
                           "no_comparison": int(reason == "no_comparison"), "unknown_ratings": 4,
                           "flag_threshold": 0.5, "interval_level": 0.95}])
    left = pd.DataFrame({"rater_id": ["E1"], "rater_name": [name], "reason": [reason]})
    text = narrate.raters(SimpleNamespace(lang=lang, company=False), table, basis, left)
    assert text.startswith(says) and ("4" in text)  # and the ratings without a rater id are counted


@pytest.mark.parametrize("department", ["sales", "all"])
def test_the_leniency_sentence_quotes_only_numbers_of_the_basis_table_shown_under_it(department):
    """narrate.raters quotes counts, threshold and level of sections.rater_basis, which notebook
    50 shows right under the sentence; by hand: flagged = raters whose flag is set."""
    import json
    import re

    from kpilib import narrate, sections
    from kpilib.display import table_html
    from kpilib.sections.drivers import _leniency
    from kpilib.workbench import open_workbench

    wb = open_workbench("2026Q3", department)
    table, basis = sections.rater_table(wb), sections.rater_basis(wb)
    leniency, _ = _leniency(wb)
    assert basis["flagged"].iloc[0] == (leniency["flag"] != "").sum()
    assert basis["raters"].iloc[0] == basis[["judged", "too_few", "no_comparison"]].iloc[0].sum()
    text = narrate.raters(wb, table, basis, sections.raters_not_judged(wb))
    if department == "all":  # department pages name each flagged rater with the numbers of the rater table
        cells = set(re.findall(r"<td>([^<]*)</td>", table_html(basis, "zh")))
        quoted = set(re.findall(r"\d+(?:\.\d+)?%?", text))
        assert quoted <= cells | {c.replace(".0%", "%") for c in cells}, quoted - cells
    cells = [c for c in json.loads((Path(__file__).parent.parent / "notebooks" / "50_drivers.ipynb").read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    said = next(i for i, c in enumerate(cells) if "narrate.raters(" in "".join(c["source"]))
    assert "".join(cells[said + 1]["source"]).startswith("display.show(basis")


def test_a_company_page_whose_departments_are_too_small_to_show_still_says_what_was_judged():
    """Northwind Retail: the company's rater table is empty (departments under privacy.min_cell)
    while the basis table shows 5 raters judged; the sentence follows the basis, not 'too few'."""
    from kpilib import narrate, sections
    from kpilib.workbench import open_workbench

    wb = open_workbench(None, "all", Path(__file__).parent / "data" / "retail", "retail", "en")
    basis = sections.rater_basis(wb)
    text = narrate.raters(wb, sections.rater_table(wb), basis, sections.raters_not_judged(wb))
    assert basis["judged"].iloc[0] > 0 and "too few ratings" not in text
    assert f"{basis['flagged'].iloc[0]} are flagged" in text
