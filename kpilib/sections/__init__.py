"""The tables of the report sections, one call each: `sections.f(wb)` → DataFrame.

Each function takes a `Workbench` (kpilib.workbench) and returns a new frame with the
columns its docstring names. A department workbench shows that department's people; at
company level ("all") every table is an aggregate by department and names no one
(architecture.md, rules of the house), and leaves out any group of fewer than
`privacy.min_cell` people (common.shown). The statistics live in ranking, stats, trends,
drivers, separation, mixed, leading, ratings and incentives and are tested there; sections select, join, aggregate.

One module per notebook, which imports it: `overview` (10), `performance` (20), `rankings` (30),
`trends` (40), `drivers` (50, with rater calibration), `incentives` (60), `details` (70); the
helpers `rulebook` (10's rules), `followup` (60's actions), `parts` (70's parts of a large department) and `common`. Every table is also
here by name (`sections.headline`).
"""

from kpilib.sections.common import primary_kpi
from kpilib.sections.details import chain_steps, monitored_details, rating_evidence, score_details
from kpilib.sections.drivers import (
                                     composite_shares,
                                     leading_links,
                                     link_backtest,
                                     link_table,
                                     rater_basis,
                                     rater_table,
                                     rater_variance,
                                     raters_not_judged,
                                     scorecard_model,
                                     self_gap,
                                     top_separators,
)
from kpilib.sections.followup import action_list, follow_up_actions
from kpilib.sections.incentives import decisions, incentive_counts, incentive_summary
from kpilib.sections.overview import (
                                     borrowed_targets,
                                     grade_counts,
                                     headline,
                                     kpi_attainment,
                                     scheme_table,
                                     tier_allocation,
)
from kpilib.sections.parts import detail_parts, part_list, part_view
from kpilib.sections.performance import (
                                     coaching,
                                     concentration,
                                     group_profile,
                                     new_hire_ramp,
                                     outcome_kpi,
                                     region_comparison,
                                     region_test,
                                     result_values,
                                     top_cases,
)
from kpilib.sections.rankings import (
                                     criterion_top,
                                     group_movement,
                                     kpi_leaders,
                                     most_improved,
                                     outcome_growth,
                                     outcome_top,
                                     rank_stability,
                                     ranking_table,
                                     region_shares,
                                     team_attainment,
                                     team_units,
)
from kpilib.sections.rulebook import (
                                     incentive_rules,
                                     monitored_kpis,
                                     perspective_notes,
                                     perspective_table,
                                     perspective_weights,
                                     rule_sentences,
)
from kpilib.sections.trends import (
                                     forecast_check,
                                     outlook,
                                     person_trends,
                                     tier_mobility,
                                     tier_transitions,
                                     trend_frame,
                                     trend_groups,
)

__all__ = [
    "action_list", "borrowed_targets", "chain_steps", "coaching",
    "composite_shares", "concentration", "criterion_top", "decisions", "detail_parts", "follow_up_actions", "forecast_check",
    "grade_counts", "group_movement", "group_profile", "headline", "incentive_counts", "incentive_rules", "incentive_summary", "kpi_attainment",
    "kpi_leaders", "leading_links", "link_backtest", "link_table", "monitored_details", "monitored_kpis",
    "most_improved", "new_hire_ramp", "outcome_growth", "outcome_kpi", "outcome_top", "outlook", "part_list", "part_view", "person_trends",
    "perspective_notes", "perspective_table", "perspective_weights", "primary_kpi", "rank_stability",
    "ranking_table", "rater_basis", "rater_table", "rater_variance", "raters_not_judged", "rating_evidence",
    "region_comparison", "region_shares", "region_test", "result_values", "rule_sentences", "scheme_table",
    "score_details", "scorecard_model", "self_gap", "team_attainment", "team_units", "tier_allocation",
    "tier_mobility", "tier_transitions", "top_cases", "top_separators", "trend_frame", "trend_groups"
]
