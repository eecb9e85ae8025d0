"""Charts render on the sample, with Chinese labels as characters (no missing glyphs)."""

import subprocess
import sys
import warnings

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from kpilib import plots, ratings, separation, stats, transitions
from kpilib.messages import grade_names
from kpilib.scoring import score


@pytest.fixture(scope="module")
def q(sample, config):
    return score(sample, config, "2026Q2"), score(sample, config, "2026Q3")


def test_theme_finds_a_cjk_font():
    plots.set_theme("zh")
    assert plots.cjk_font() is not None  # fonts-noto-cjk is installed by the bootstrap


def test_every_chart_renders_with_chinese(q, sample, config, tmp_path):
    before, after = q
    plots.set_theme("zh")
    names = {d: config.catalog.department_name(d, "zh") for d in config.catalog.departments}
    fig, axes = plt.subplots(4, 2, figsize=(14, 18))
    grades = [g.zh for g in config.scheme.scoring.grades]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plots.distribution(after.sheet, "composite", bands=[70, 80, 90], ax=axes[0, 0], title="综合分分布")
        named = after.sheet.assign(grade=grade_names(after.sheet["grade"], config, "zh"))  # scoring keeps codes
        plots.grade_bars(named, "department", order=grades, labels=names, ax=axes[0, 1], title="各部门等级分布")
        plots.ranking_bars(after.sheet, "composite", "name", ax=axes[1, 0], title="综合分前十名")
        sales = sample.measures[sample.measures["measure"] == "sales"].groupby("employee_id", observed=True)["value"].sum()
        plots.lorenz_curve(stats.lorenz(sales), ax=axes[1, 1], title="销售额洛伦兹曲线")
        trend = __import__("pandas").concat([before.sheet, after.sheet])
        plots.trend_lines(trend, "period", "composite", hue="region", ax=axes[2, 0], title="各区域综合分趋势")
        m = transitions.transitions(before.sheet.set_index("employee_id")["tier"], after.sheet.set_index("employee_id")["tier"],
                                list("SABCD"))
        plots.transition_heatmap(m, ax=axes[2, 1], title="等级迁移矩阵")
        sales_lines = after.lines[after.lines["department"] == "sales"]
        parts = separation.composite_parts(sales_lines, after.sheet[after.sheet["department"] == "sales"], 0.7)
        shares = separation.variance_shares(parts, [c for c in parts.columns if c not in ("employee_id", "composite")], "composite")
        kpi_names = {k: config.catalog.kpis[k].name.zh for k in shares["part"] if k in config.catalog.kpis}
        plots.importance_bars(shares, "share", label="part", labels=kpi_names, ax=axes[3, 0], title="销售部：方差占比")
        plots.rater_intervals(ratings.rater_leniency(sample.ratings), ax=axes[3, 1], title="主管评分宽严度")
        fig.tight_layout()
        fig.savefig(tmp_path / "charts.png")
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert not missing, missing[:3]
    assert (tmp_path / "charts.png").stat().st_size > 50_000
    plt.close(fig)


def test_the_palette_is_led_by_the_clients_colour():
    from matplotlib.colors import to_hex

    def lead(n: int) -> list[str]:
        return [to_hex(c) for c in plt.rcParams["axes.prop_cycle"].by_key()["color"][:n]]

    plots.set_theme("en", "#7a1f5c")
    assert lead(2) == ["#7a1f5c", plots.PALETTE[1]]
    ax = plots.ranking_bars(__import__("pandas").DataFrame({"name": ["a", "b"], "v": [1.0, 2.0]}), "v", "name")
    assert ax.patches[0].get_facecolor()[:3] == pytest.approx((0x7a / 255, 0x1f / 255, 0x5c / 255))
    plots.set_theme("zh")
    assert lead(1) == [plots.PALETTE[0]]
    plt.close("all")


def test_a_transition_row_without_shares_is_blank_not_zero():
    matrix = pd.DataFrame([[0.5, 0.5], [float("nan"), float("nan")]], index=["A", "B"], columns=["A", "B"])
    ax = plots.transition_heatmap(matrix)
    assert sorted(t.get_text() for t in ax.texts) == ["50%", "50%"]  # row B: no "0%"
    plt.close("all")


def test_a_pack_kernel_draws_each_figure_once(tmp_path):
    """kpilib.plots.draw_once, in a fresh interpreter with an IPython shell (a kernel's):
    pyplot's redraw after every cell is taken away, the inline backend still sends figures."""
    code = ("from IPython.core.interactiveshell import InteractiveShell\n"
            "import matplotlib; matplotlib.use('module://matplotlib_inline.backend_inline')\n"
            "shell = InteractiveShell.instance()\n"
            "from matplotlib_inline.backend_inline import configure_inline_support\n"
            "configure_inline_support(shell, 'inline')\n"
            "import matplotlib.pyplot as plt\n"
            "from kpilib import plots\n"
            "def hooks(): return [f.__name__ for f in shell.events.callbacks['post_execute']]\n"
            "plt.close(plt.figure())\n"
            "before = hooks()\n"
            "plots.draw_once()\n"
            "print('_draw_all_if_interactive' in before, 'flush_figures' in before, hooks().count('flush_figures'),"
            " '_draw_all_if_interactive' in hooks())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True True 1 False"
