"""The sample company: deterministic, valid, and carrying the structure it plants."""

import filecmp

import numpy as np
import pytest

from kpilib import synth
from kpilib.data import load_dataset
from tests.conftest import SAMPLE


def test_regenerating_the_sample_gives_identical_files(tmp_path):
    synth.generate().write(tmp_path)
    for name in ("employees", "measures", "targets", "ratings"):
        assert filecmp.cmp(tmp_path / f"{name}.csv", SAMPLE / f"{name}.csv", shallow=False), name


def test_shape_of_the_sample(sample):
    people = sample.people()
    assert 280 <= len(people) <= 320
    assert set(people["department"]) == {"sales", "marketing", "customer_service", "rnd", "hr", "finance"}
    assert 4 <= people["region"].nunique() <= 6
    assert len(sample.months) == 24
    assert people["exit_date"].notna().sum() > 5
    assert (people["hire_date"] > sample.months[0].to_timestamp()).sum() > 10
    assert set(people["role_layer"]) >= {"management", "execution", "support"}
    assert set(sample.ratings["rater_type"]) == {"self", "supervisor", "cross_department"}


def test_every_quantitative_kpi_of_the_sample_departments_has_measures(sample, config):
    departments = set(sample.people()["department"])
    needed = {m for k, f in config.catalog.formulas.items()
              if set(config.catalog.kpis[k].departments) & departments for m in f.measures}
    assert needed <= set(sample.measures["measure"].astype(str))


def test_planted_supervisors_differ():
    company = synth.generate()
    r = company.ratings[company.ratings["rater_type"] == "supervisor"]
    mean = r.groupby("rater_id")["score"].mean()
    lenient, severe = company.truth["lenient_supervisors"], company.truth["severe_supervisors"]
    assert mean[lenient].min() > mean.median() > mean[severe].max()


def test_heavy_tailed_sales(sample):
    from scipy.stats import skew
    q = sample.measures[(sample.measures["measure"] == "sales")]
    per_person = q.groupby("employee_id", observed=True)["value"].sum()
    assert skew(np.log(per_person)) > -1 and skew(per_person) > 1


@pytest.mark.slow
def test_hundred_thousand_people(tmp_path, config):
    company = synth.generate(employees=100_000)
    assert company.employees["kind"].eq("person").sum() == 100_000
    company.write(tmp_path, "parquet")
    dataset = load_dataset(tmp_path, config)
    assert len(dataset.people()) == 100_000
