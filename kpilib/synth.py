"""A deterministic sample company (`kpireport demo-data`), with structure to find.

For a seed the output is identical byte for byte. Planted structure, returned in
`Company.truth` so tests can check the analyses find it:

- regional effects on performance (华东 strongest, 西南 weakest);
- per department, two KPIs (`DRIVERS`) carry most of the variance of the composite;
  the others vary little;
- heavy-tailed sales: territory size × performance is log-normal (σ ≈ 0.6);
- new hires ramp: about 70% of the mean in their first 3 months, ~90% in month 4;
- improvers and decliners: 12% each with a steady monthly trend;
- lenient and severe supervisors: two of each shift every rating they give by ±1.
Measures are generated for every quantitative KPI of the catalogue in the sample
departments, from the shape of its formula (a/b, single measure, growth).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kpilib.config import Config, load_config
from kpilib.periods import month_of

DEPARTMENTS = {"sales": 0.30, "marketing": 0.15, "customer_service": 0.25, "rnd": 0.15,
               "hr": 0.07, "finance": 0.08}
REGIONS = {"华东": 0.5, "华南": 0.2, "华北": 0.0, "华中": -0.15, "西南": -0.5}
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏建红宇晨浩然欣怡子轩梓涵")
TEAM_SIZE = 10
# The two KPIs per department that carry most of the variance of the composite.
DRIVERS = {"sales": ["sales_amount", "new_customers"], "marketing": ["campaign_effect", "brand_awareness"],
           "customer_service": ["resolution_rate", "csat"], "rnd": ["product_success", "innovation_contribution"],
           "hr": ["hiring_fill_rate", "time_to_hire"], "finance": ["report_timeliness", "close_cycle"]}
# Typical monthly volume of a denominator measure for one person (others: 40 or 100,000).
VOLUMES = {
    "requests": 280, "tickets": 280, "calls_received": 300, "deals_closed": 8, "due_for_renewal": 20,
    "campaign_cost": 60_000, "collection_due": 1_500_000, "surveyed_respondents": 200,
    "campaign_participants": 300, "site_visits": 5000, "reports_due": 4, "marketing_budget": 200_000,
    "nps_responses": 60, "satisfaction_responses": 40, "csat_responses": 60, "ces_responses": 30,
    "callbacks_planned": 40, "trainings_planned": 3, "cost_budget": 50_000, "projects_total": 2,
    "milestones_due": 20, "defects_found": 20, "positions_open": 6, "hires": 5, "headcount": 300,
    "appraisals_due": 30, "closes": 2, "payments": 400, "customers_at_start": 120,
    "total_customers": 120, "projects_planned": 3, "lift_sales_baseline": 500_000,
}


@dataclass
class Company:
    employees: pd.DataFrame
    measures: pd.DataFrame
    targets: pd.DataFrame
    ratings: pd.DataFrame
    truth: dict = field(default_factory=dict)

    def write(self, out: Path | str, fmt: str = "csv") -> list[Path]:
        """Write the four tables as CSV (UTF-8) or Parquet; returns the paths."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        def write(name: str) -> Path:
            frame, path = getattr(self, name), out / f"{name}.{fmt}"
            partial = path.with_name(f".{path.name}.partial")
            if fmt == "csv":
                frame.to_csv(partial, index=False, encoding="utf-8", lineterminator="\n", float_format="%.10g")
            else:
                frame.to_parquet(partial, index=False)
            return partial

        names = ("employees", "measures", "targets", "ratings")
        try:
            with ThreadPoolExecutor(max_workers=2) as pool:  # pyarrow and file I/O release the GIL
                partials = list(pool.map(write, names))
        except BaseException:
            for name in names:
                (out / f".{name}.{fmt}.partial").unlink(missing_ok=True)
            raise
        # only once all four are written do they replace the previous files
        return [p.replace(p.with_name(p.name[1:].removesuffix(".partial"))) for p in partials]


def example_company(employees: int = 21, months: int = 3):
    """A small generated company, loaded and validated as a user's data would be: (config,
    dataset). For the docstring examples of functions that take a Dataset; the files are
    written to a temporary folder that is removed again."""
    import tempfile

    from kpilib.data import load_dataset

    config = load_config()
    with tempfile.TemporaryDirectory() as folder:
        generate(employees=employees, months=months, config=config).write(folder)
        return config, load_dataset(folder, config)


def generate(employees: int = 300, months: int = 24, seed: int = 7, end: str = "2026-09",
             config: Config | None = None) -> Company:
    """Build the sample company: `employees` people over `months` months ending at `end`."""
    if employees < len(DEPARTMENTS) * 3:
        raise ValueError(f"at least {len(DEPARTMENTS) * 3} employees are needed for a company")
    if months < 1:
        raise ValueError("at least one month is needed")
    config = config or load_config()
    rng = np.random.default_rng(seed)
    month_index = pd.period_range(end=month_of(end), periods=months, freq="M")
    people = _people(employees, month_index, rng)
    z = _performance(people, month_index, rng)
    employed = _employed(people, month_index)
    links = np.random.default_rng([seed, 1])  # the planted links draw apart: the rest of the company is unchanged by them
    measures, targets, drivers = _measures(people, z, employed, month_index, config, rng, links)
    ratings, raters = _ratings(people, z, month_index, config, rng)
    employees_out = _employee_table(people)
    employees_out, measures, targets = _team_units(employees_out, measures, targets, config)
    truth = {"regions": REGIONS, "drivers": drivers, **raters,
             "improvers": people.loc[people["trend"] > 0.03, "employee_id"].tolist(),
             "decliners": people.loc[people["trend"] < -0.03, "employee_id"].tolist()}
    return Company(employees_out, measures, targets, ratings, truth)


def _people(n: int, months: pd.PeriodIndex, rng: np.random.Generator) -> pd.DataFrame:
    sizes = _apportion(n, DEPARTMENTS)
    width = max(4, len(str(n)))
    rows = []
    regions = list(REGIONS)
    for dept, size in sizes.items():
        n_teams = max(1, round((size - 1) / (TEAM_SIZE + 1)))
        n_members = size - 1 - n_teams
        team_region = [regions[(i + len(rows)) % len(regions)] for i in range(n_teams)]
        rows.append((dept, "", "head", regions[0]))
        rows += [(dept, f"{dept}-{i + 1:02d}", "manager", team_region[i]) for i in range(n_teams)]
        member_team = np.arange(n_members) % n_teams
        rows += [(dept, f"{dept}-{t + 1:02d}", "member", team_region[t]) for t in member_team]
    frame = pd.DataFrame(rows, columns=["department", "team", "role", "region"])
    frame.insert(0, "employee_id", [f"E{i + 1:0{width}d}" for i in range(len(frame))])
    head = frame.groupby("department")["employee_id"].transform("first")
    managers = frame[frame["role"] == "manager"].set_index("team")["employee_id"]
    frame["manager_id"] = np.where(frame["role"] == "head", "",
                                   np.where(frame["role"] == "manager", head, frame["team"].map(managers)))
    frame["role_layer"] = np.where(frame["role"] == "member",
                                   np.where(frame["department"].isin(["hr", "finance"]), "support", "execution"),
                                   "management")
    frame["name"] = [SURNAMES[a] + GIVEN[b] + (GIVEN[c] if c >= 0 else "") for a, b, c in zip(
        rng.integers(0, len(SURNAMES), len(frame)), rng.integers(0, len(GIVEN), len(frame)),
        np.where(rng.random(len(frame)) < 0.6, rng.integers(0, len(GIVEN), len(frame)), -1), strict=True)]
    start = months[0].to_timestamp()
    # hires: 15% of members join during the covered months; leavers: 10% exit
    member = (frame["role"] == "member").to_numpy()
    joins = member & (rng.random(len(frame)) < 0.15)
    join_month = rng.integers(1, max(2, len(months) - 2), len(frame))
    years_before = rng.uniform(0.3, 8, len(frame))
    hire = start - pd.to_timedelta(years_before * 365.25, unit="D")
    join_date = months.to_timestamp()[np.minimum(join_month, len(months) - 1)]
    hire = pd.DatetimeIndex(np.where(joins, join_date, hire)).normalize()
    frame["hire_date"] = hire + pd.to_timedelta(rng.integers(0, 27, len(frame)), unit="D")
    leaves = member & ~joins & (rng.random(len(frame)) < 0.10)
    exit_month = rng.integers(2, max(3, len(months) - 1), len(frame))
    exit_date = months.to_timestamp()[np.minimum(exit_month, len(months) - 1)] + pd.Timedelta(days=14)
    frame["exit_date"] = pd.Series(exit_date, index=frame.index).where(leaves)
    frame["position"] = frame["role"].map({"head": "部门总监", "manager": "主管", "member": "专员"})
    frame["ability"] = rng.normal(0, 1, len(frame))
    kind = rng.random(len(frame))
    frame["trend"] = np.where(kind < 0.12, 0.06, np.where(kind < 0.24, -0.06, rng.normal(0, 0.005, len(frame))))
    frame["territory"] = np.exp(rng.normal(0, 0.55, len(frame)))
    frame["volume"] = np.exp(rng.normal(0, 0.2, len(frame)))
    return frame


def _apportion(n: int, shares: dict[str, float]) -> dict[str, int]:
    raw = {k: n * v for k, v in shares.items()}
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - out[k], reverse=True)[: n - sum(out.values())]:
        out[k] += 1
    return out


def _employed(people: pd.DataFrame, months: pd.PeriodIndex) -> np.ndarray:
    """Boolean (person, month): employed at any time in the month."""
    m = months.to_timestamp().to_numpy()
    m_end = (months + 1).to_timestamp().to_numpy()
    hire = people["hire_date"].to_numpy()[:, None]
    exit_ = people["exit_date"].fillna(pd.Timestamp("2262-01-01")).to_numpy()[:, None]
    return (hire < m_end[None, :]) & (exit_ >= m[None, :])


def _tenure(people: pd.DataFrame, months: pd.PeriodIndex) -> np.ndarray:
    hire_m = people["hire_date"].dt.to_period("M")
    hire_code = (hire_m.dt.year * 12 + hire_m.dt.month).to_numpy()[:, None]
    month_code = (months.year * 12 + months.month).to_numpy()[None, :]
    return month_code - hire_code + 1


def _performance(people: pd.DataFrame, months: pd.PeriodIndex, rng: np.random.Generator) -> np.ndarray:
    """z (person, month): ability + region + trend + new-hire ramp + noise."""
    t = np.arange(len(months))[None, :] - (len(months) - 1) / 2
    tenure = _tenure(people, months)
    ramp = np.where(tenure <= 3, -1.2, np.where(tenure == 4, -0.35, 0.0))
    region = people["region"].map(REGIONS).to_numpy()[:, None]
    base = people["ability"].to_numpy()[:, None] + region + people["trend"].to_numpy()[:, None] * t
    return base + ramp - 0.3 + rng.normal(0, 0.3, (len(people), len(months)))


def _measures(people, z, employed, months, config, rng, links):
    from kpilib.synth_measures import department_measures, to_codes

    ids = np.append(people["employee_id"].to_numpy(), "marketing")  # + the department entity
    names = list(config.catalog.measures)
    measure_codes = {m: i for i, m in enumerate(names)}
    parts, targets, drivers = [], [], {}
    for dept in DEPARTMENTS:
        idx = np.flatnonzero(people["department"].to_numpy() == dept)
        sub = people.iloc[idx].reset_index(drop=True)
        drivers[dept] = DRIVERS[dept]
        values = department_measures(dept, sub, z[idx], employed[idx], config, VOLUMES, DRIVERS[dept], rng, links)
        parts.append(to_codes(values, measure_codes, idx, employed[idx]))
        targets.append(_targets(dept, sub, employed[idx], months, config))
    # department-level facts: the market share of the whole company, held by the marketing entity
    n = len(months)
    share = np.round(0.12 * 1.003 ** np.arange(n) + rng.normal(0, 0.002, n), 4)
    parts.append((np.arange(n, dtype=np.int16), np.full(n, len(ids) - 1, dtype=np.int32),
                  np.full(n, measure_codes["market_share"], dtype=np.int16), share))
    # person-major, as a per-person export; departments hold consecutive people
    month, person, measure, value = (np.concatenate(a) for a in zip(*parts, strict=True))
    measures = pd.DataFrame({
        "period": pd.Categorical.from_codes(month, [str(m) for m in months]),
        "employee_id": pd.Categorical.from_codes(person, ids),
        "measure": pd.Categorical.from_codes(measure, names),
        "value": value,
    })
    return measures, pd.concat(targets, ignore_index=True), drivers


def _targets(dept: str, people: pd.DataFrame, employed: np.ndarray, months: pd.PeriodIndex,
             config: Config) -> pd.DataFrame:
    """Monthly personal targets for the amount KPIs (sales, new customers, media exposure)."""
    kpis = {"sales": ["sales_amount", "new_customers"], "marketing": ["media_exposure"]}.get(dept, [])
    person, month = np.nonzero(employed)
    labels = [str(m) for m in months]
    rows = []
    year_two = (month >= 12).astype(float)
    for kpi_id in kpis:
        base = config.catalog.kpis[kpi_id].thresholds.target
        scale = people["territory"].to_numpy()[person] ** (1.0 if kpi_id == "sales_amount" else 0.5)
        value = base * scale * (1 + 0.08 * year_two)
        value = np.round(value, -3) if kpi_id == "sales_amount" else np.maximum(np.round(value), 1)
        rows.append(pd.DataFrame({"period": pd.Categorical.from_codes(month, labels),
                                  "employee_id": people["employee_id"].to_numpy()[person],
                                  "kpi": kpi_id, "target": value}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["period", "employee_id", "kpi", "target"])


def _ratings(people: pd.DataFrame, z: np.ndarray, months: pd.PeriodIndex, config: Config,
             rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    """Quarterly ratings by self, supervisor and one cross-department rater per criterion."""
    managers = people[people["role"] == "manager"]
    reports = people["manager_id"].value_counts()
    candidates = managers[managers["employee_id"].map(reports).fillna(0) >= 6]["employee_id"].to_numpy()
    chosen = rng.permutation(candidates)[:4]
    ids = people["employee_id"].to_numpy()
    position = pd.Series(np.arange(len(ids)), index=ids)
    supervisor = people["manager_id"].map(position).fillna(-1).astype(int).to_numpy()
    bias = pd.Series(ids).map(dict.fromkeys(chosen[:2], 1.0) | dict.fromkeys(chosen[2:4], -1.0)).fillna(0.0).to_numpy()
    dept = people["department"].to_numpy()
    employed = _employed(people, months)
    tenure = _tenure(people, months)
    criteria = list(config.catalog.qualitative())
    rater_types = ["self", "supervisor", "cross_department"]
    quarter_ends = [i for i, m in enumerate(months) if m.month % 3 == 0 and i >= 2]
    labels = [f"{months[e].year}Q{months[e].month // 3}" for e in quarter_ends]
    parts = []  # (quarter, ratee, rater type, rater, criterion, score) code arrays
    for q, end in enumerate(quarter_ends):
        present = employed[:, end] & (tenure[:, end] >= 2)
        true = 3.3 + 0.45 * z[:, end - 2:end + 1].mean(axis=1)
        for d, weights in config.scheme.departments.items():
            who = np.flatnonzero(present & (dept == d))
            if not len(who):
                continue
            others = np.flatnonzero(present & (dept != d))
            rated = dict.fromkeys(c for role in weights.role_keys() for c in weights.weights("qualitative", role))
            for criterion in rated:
                level = true[who] + rng.normal(0, 0.25, len(who))
                cross = others[rng.integers(0, len(others), len(who))] if len(others) else who
                for t, (rater, shift, noise) in enumerate(((who, 0.4, 0.5), (supervisor[who], bias[supervisor[who]], 0.45),
                                                           (cross, 0.0, 0.6))):
                    score = np.clip(np.rint(level + shift + rng.normal(0, noise, len(who))), 1, 5)
                    keep = rater >= 0
                    n = int(keep.sum())
                    parts.append((np.full(n, q), who[keep], np.full(n, t), rater[keep],
                                  np.full(n, criteria.index(criterion)), score[keep].astype(int)))
    q, ratee, t, rater, c, score = (np.concatenate(a) for a in zip(*parts, strict=True))
    ratings = pd.DataFrame({
        "period": pd.Categorical.from_codes(q, labels), "employee_id": pd.Categorical.from_codes(ratee, ids),
        "rater_type": pd.Categorical.from_codes(t, rater_types), "rater_id": pd.Categorical.from_codes(rater, ids),
        "criterion": pd.Categorical.from_codes(c, criteria), "score": score})
    ratings["note"] = _supervisor_notes(t == rater_types.index("supervisor"), score)
    return ratings, {"lenient_supervisors": sorted(chosen[:2].tolist()),
                     "severe_supervisors": sorted(chosen[2:4].tolist())}


SUPERVISOR_NOTES = {5: "表现突出，超出本季度预期", 1: "多次未达要求，已面谈并制定改进计划", 2: "未达要求，需加强"}


def _supervisor_notes(supervisor: np.ndarray, score: np.ndarray) -> pd.Categorical:
    """A supervisor's remark on the scores that call for one (5, 2 and 1), as supervisors
    write them; other ratings have none. Drawn from no random stream: scores stay as they were."""
    text = pd.Series(score).map(SUPERVISOR_NOTES).where(supervisor, "").fillna("")
    return pd.Categorical(text)


def _employee_table(people: pd.DataFrame) -> pd.DataFrame:
    out = people[["employee_id", "name", "department", "region", "team", "role_layer", "position",
                  "manager_id", "hire_date", "exit_date"]].copy()
    out["hire_date"] = out["hire_date"].dt.strftime("%Y-%m-%d")
    out["exit_date"] = out["exit_date"].dt.strftime("%Y-%m-%d").fillna("")
    out["kind"] = "person"
    entity = pd.DataFrame([{"employee_id": "marketing", "name": "市场部", "department": "marketing",
                            "region": "华东", "team": "", "role_layer": "", "position": "", "manager_id": "",
                            "hire_date": "2015-01-01", "exit_date": "", "kind": "department"}])
    return pd.concat([out, entity], ignore_index=True)


UNIT_TEAMS = ("sales-01", "sales-02")  # teams the sample also assesses as units (kpilib.team_units)


def _team_units(employees: pd.DataFrame, measures: pd.DataFrame, targets: pd.DataFrame,
                config: Config) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Add an entity of `kind: team` for each of `UNIT_TEAMS`, with the team's own monthly
    measures (its members' values added up, averaged for `mean` measures: what the CRM
    reports for the team) and targets (the members' added up). No random draw: every
    person's data is the same with or without them."""
    present = [t for t in UNIT_TEAMS if (employees["team"] == t).any()]
    if not present:
        return employees, measures, targets
    members = employees.loc[employees["team"].isin(present), ["employee_id", "team"]].set_index("employee_id")["team"]
    unit_id = {t: f"T-{t}" for t in present}
    units = pd.DataFrame([{"employee_id": unit_id[t], "name": t, "department": "sales", "region": "",
                           "team": t, "role_layer": "", "position": "", "manager_id": "", "hire_date": "2015-01-01",
                           "exit_date": "", "kind": "team"} for t in present])
    units["region"] = [employees.loc[employees["team"] == t, "region"].mode().iloc[0] for t in present]
    mine = measures[measures["employee_id"].astype(str).isin(members.index)].astype({"employee_id": str,
                                                                                    "measure": str, "period": str})
    mine["employee_id"] = mine["employee_id"].map(members).map(unit_id)
    how = {m: ("mean" if v.aggregation == "mean" else "sum") for m, v in config.catalog.measures.items()}
    parts = [group.groupby(["period", "employee_id", "measure"], sort=False, as_index=False)["value"].agg(how[name])
             for name, group in mine.groupby("measure", sort=False)]
    team_measures = pd.concat(parts, ignore_index=True).sort_values(["employee_id", "measure", "period"], kind="stable")
    team_targets = targets[targets["employee_id"].isin(members.index)].astype({"period": str}).assign(
        employee_id=lambda f: f["employee_id"].map(members).map(unit_id))
    team_targets = team_targets.groupby(["period", "employee_id", "kpi"], sort=False, as_index=False)["target"].sum()
    return (pd.concat([employees, units], ignore_index=True),
            pd.concat([measures.astype({"employee_id": str, "measure": str, "period": str}), team_measures],
                      ignore_index=True),
            pd.concat([targets.astype({"period": str}), team_targets], ignore_index=True))
