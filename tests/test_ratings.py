"""Rater calibration against published and independent references, and on the sample."""

import numpy as np
import pandas as pd
import pytest

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
    result = R.icc(long, "target", "judge", "score").set_index("type")["icc"]
    for name, value in hand.items():
        assert result[name] == pytest.approx(value, abs=1e-4)
        assert round(result[name], 2) == pytest.approx(SF_PUBLISHED[name], abs=0.005)


@pytest.fixture(scope="module")
def company():
    return synth.generate()


def test_planted_lenient_and_severe_supervisors_are_found(company):
    table = R.rater_leniency(company.ratings)
    flagged = table[table["flag"] != ""]
    assert sorted(flagged.loc[flagged["flag"] == "lenient", "rater_id"]) == company.truth["lenient_supervisors"]
    assert sorted(flagged.loc[flagged["flag"] == "severe", "rater_id"]) == company.truth["severe_supervisors"]
    assert (flagged["ci_low"] * flagged["ci_high"] > 0).all()


def test_leniency_by_hand():
    # ratee A: supervisor S gives 5, the two peers 3 and 4 → deviation 5 − 3.5 = 1.5
    rows = []
    for i in range(12):
        rows += [{"period": "2025Q3", "employee_id": f"A{i}", "rater_type": "supervisor", "rater_id": "S",
                  "criterion": "c", "score": 5},
                 {"period": "2025Q3", "employee_id": f"A{i}", "rater_type": "peer", "rater_id": "P1", "criterion": "c", "score": 3},
                 {"period": "2025Q3", "employee_id": f"A{i}", "rater_type": "peer", "rater_id": "P2", "criterion": "c", "score": 4}]
    table = R.rater_leniency(pd.DataFrame(rows))
    assert table.loc[0, "leniency"] == pytest.approx(1.5) and table.loc[0, "flag"] == "lenient"


def test_self_ratings_run_higher_than_supervisors(company):
    gap = R.self_supervisor_gap(company.ratings)
    assert gap["gap"].mean() > 0.2  # planted self-inflation of +0.4
    teams = R.self_supervisor_gap(company.ratings, company.employees, by="team")
    assert {"team", "people", "mean_gap", "share_overrating"} <= set(teams.columns)


def test_distribution_halo_central_tendency(company):
    dist = R.rating_distribution(company.ratings)
    assert np.allclose(dist[["s1", "s2", "s3", "s4", "s5"]].sum(axis=1), 1)
    lenient = dist.set_index("rater_id").loc[company.truth["lenient_supervisors"]]
    assert (lenient["s4"] + lenient["s5"] > dist["s4"].add(dist["s5"]).median()).all()
    h = R.halo(company.ratings)
    assert h["halo"].between(-1, 1).all()


def test_rater_effects_model(company):
    variance, effects = R.rater_effects(company.ratings, rater_types=("supervisor",))
    assert variance["share"].sum() == pytest.approx(1)
    top = effects.head(2)["rater_id"].tolist()
    bottom = effects.tail(2)["rater_id"].tolist()
    assert sorted(top) == company.truth["lenient_supervisors"]
    assert sorted(bottom) == company.truth["severe_supervisors"]
    adjusted = R.calibrated(company.ratings, effects)
    sup = adjusted[adjusted["rater_type"] == "supervisor"]
    lenient = sup[sup["rater_id"].isin(company.truth["lenient_supervisors"])]
    assert lenient["score"].mean() < lenient["raw_score"].mean()


def test_calibrated_scoring_moves_lenient_supervisors_ratees_down(sample, config):
    from kpilib.scoring import score

    calibrated = R.calibrate_dataset(sample)
    raw = score(sample, config, "2026Q3").sheet.set_index("employee_id")
    adjusted = score(calibrated, config, "2026Q3").sheet.set_index("employee_id")
    lenient = company_truth()["lenient_supervisors"]
    ratees = sample.employees.loc[sample.employees["manager_id"].isin(lenient), "employee_id"]
    ratees = [e for e in ratees if e in raw.index]
    assert (adjusted.loc[ratees, "qualitative"] <= raw.loc[ratees, "qualitative"]).all()
    assert (adjusted.loc[ratees, "qualitative"] < raw.loc[ratees, "qualitative"]).mean() > 0.8


def company_truth():
    return synth.generate().truth
