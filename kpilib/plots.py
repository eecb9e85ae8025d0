"""Charts for the report sections, seaborn style: each function takes a DataFrame and
column names, draws on `ax=` when given and returns the Axes. Plots draw, they do not
compute business figures: pass them what kpilib.ranking / stats / trends / drivers /
ratings return.

`set_theme(lang, primary)` is called once: palette (led by the client's primary colour when
given), sizes, and a Noto CJK font so Chinese labels show as characters (the font is registered with matplotlib even when its font cache was
built before the font was installed).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import matplotlib.pyplot as plt  # the backend is the caller's: inline in notebooks, Agg when headless
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.ticker import PercentFormatter

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei")
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto", "/usr/share/fonts")
PALETTE = ["#1f4e79", "#c00000", "#2e8b57", "#d4a017", "#6a5acd", "#708090", "#ff7f50", "#20b2aa"]
TIER_COLOURS = {"S": "#1f4e79", "A": "#4f81bd", "B": "#a6a6a6", "C": "#f4b183", "D": "#c00000"}
RANKED_COLOURS = ["#1f4e79", "#4f81bd", "#a6a6a6", "#f4b183", "#c00000"]  # best → worst


def cjk_font() -> str | None:
    """The name of an installed CJK font, registering Noto CJK files matplotlib has not seen."""
    known = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in known:
            return name
    for folder in FONT_DIRS:
        for path in sorted(Path(folder).rglob("NotoSansCJK*.tt*")) if Path(folder).exists() else []:
            font_manager.fontManager.addfont(str(path))
    known = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in known), None)


def draw_once() -> None:
    """In a kernel that renders its figures and nothing else (the pack's): each figure drawn
    once, when the inline backend sends it at the end of its cell, not also by pyplot's
    redraw of every stale figure after each cell (interactive mode), which drew each chart
    twice (2.5 of the sample pack's 27 kernel seconds). An analyst's Jupyter keeps the redraw."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return
    plt.close(plt.figure())  # the backend chosen now: pyplot registers its redraw, once per process
    with contextlib.suppress(ValueError, AttributeError):  # not registered: nothing to take away
        shell.events.unregister("post_execute", plt._draw_all_if_interactive)


def palette(primary: str | None = None) -> list[str]:
    """The house palette, led by `primary` (a client's colour, "#rrggbb") when given."""
    return [primary] + [c for c in PALETTE[1:] if c.lower() != primary.lower()] if primary else list(PALETTE)


def set_theme(lang: str = "zh", primary: str | None = None, context: str = "notebook") -> None:
    """One theme for every chart: white grid, the palette led by the client's `primary`
    colour (branding `colours.primary`), a CJK font when available."""
    font = cjk_font()
    sans = [font] if font else []
    sns.set_theme(context=context, style="whitegrid", palette=palette(primary),
                  rc={"font.family": "sans-serif", "font.sans-serif": sans + ["DejaVu Sans"],
                      "axes.unicode_minus": False, "figure.dpi": 110, "savefig.dpi": 150,
                      "axes.titleweight": "bold", "figure.figsize": (8, 4.5)})


def _colour(i: int = 0) -> str:
    """The theme's i-th colour (the first is the client's primary once `set_theme` ran)."""
    return plt.rcParams["axes.prop_cycle"].by_key()["color"][i]


def _ax(ax):
    return ax if ax is not None else plt.figure().add_subplot()


def distribution(data: pd.DataFrame, x: str, hue: str | None = None, bands: list[float] | None = None,
                 ax=None, title: str | None = None):
    """Histogram with a density line of `x` (e.g. composite), optional grade band lines."""
    ax = _ax(ax)
    sns.histplot(data=data, x=x, hue=hue, kde=True, ax=ax, element="step", stat="count")
    for b in bands or []:
        ax.axvline(b, color="#999999", linestyle="--", linewidth=1)
    ax.set_title(title or "")
    return ax


def grade_bars(data: pd.DataFrame, by: str, grade: str = "grade", order: list[str] | None = None,
               labels: dict[str, str] | None = None, ax=None, title: str | None = None):
    """Stacked horizontal bars: share of each grade (or tier) within each group."""
    ax = _ax(ax)
    table = pd.crosstab(data[by].map(labels).fillna(data[by]) if labels else data[by], data[grade], normalize="index")
    table = table[[g for g in (order or table.columns) if g in table.columns]]
    best = [_colour()] + RANKED_COLOURS[1:]  # the best in the client's colour
    ranked = best if len(table.columns) == 5 else best[:2] + best[-len(table.columns) + 2:]
    tiers = {**TIER_COLOURS, "S": best[0]}
    colours = [tiers.get(c, ranked[i % len(ranked)]) for i, c in enumerate(table.columns)]
    table.plot(kind="barh", stacked=True, ax=ax, color=colours, width=0.7)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.legend(ncol=len(table.columns), loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    ax.set_title(title or "", pad=28)
    return ax


def ranking_bars(data: pd.DataFrame, value: str, label: str, top: int = 10, ax=None,
                 title: str | None = None, fmt: str = "{:,.1f}"):
    """The best `top` rows as horizontal bars, best at the top, values printed at the bar ends."""
    ax = _ax(ax)
    best = data.nlargest(top, value).iloc[::-1]
    ax.barh(best[label].astype(str), best[value], color=_colour())
    for y, v in enumerate(best[value]):
        ax.text(v, y, " " + fmt.format(v), va="center", fontsize=9)
    ax.set_title(title or "")
    return ax


def lorenz_curve(curve: pd.DataFrame, ax=None, title: str | None = None, label: str | None = None):
    """A Lorenz curve (columns population_share, value_share) against the line of equality."""
    ax = _ax(ax)
    ax.plot(curve["population_share"], curve["value_share"], color=_colour(), label=label)
    ax.plot([0, 1], [0, 1], color="#999999", linestyle="--", linewidth=1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title(title or "")
    return ax


def trend_lines(data: pd.DataFrame, x: str, y: str, hue: str | None = None, ax=None, title: str | None = None):
    """Lines of `y` over periods `x` (period labels in order), one per `hue`."""
    ax = _ax(ax)
    frame = data.assign(**{x: data[x].astype(str)}).sort_values(x)
    sns.lineplot(data=frame, x=x, y=y, hue=hue, marker="o", ax=ax)
    ax.set_title(title or "")
    ax.set_xlabel("")
    return ax


def transition_heatmap(matrix: pd.DataFrame, ax=None, title: str | None = None):
    """A tier transition matrix (rows before, columns after, shares) as an annotated heatmap;
    a row without shares (a tier nobody held, or too few people to show) is left blank, not 0%."""
    ax = _ax(ax)
    sns.heatmap(matrix.astype(float), annot=True, fmt=".0%", cmap="Blues", cbar=False, ax=ax, vmin=0, vmax=1)
    ax.grid(False)  # the theme's grid would run through the blank rows
    ax.set_title(title or "")
    return ax


def importance_bars(importance: pd.DataFrame, value: str = "lmg_pct", label: str = "predictor",
                    labels: dict[str, str] | None = None, ax=None, title: str | None = None):
    """One bar per row of `importance` (kpilib.drivers.relative_importance, or the variance
    shares of kpilib.separation): `value` as its length, `label` (mapped by `labels`) as its name."""
    ax = _ax(ax)
    frame = importance.copy()
    frame["label"] = frame[label].map(labels).fillna(frame[label]) if labels else frame[label]
    frame = frame.sort_values(value)
    ax.barh(frame["label"], frame[value], color=_colour())
    ax.set_title(title or "")
    return ax


def rater_intervals(table: pd.DataFrame, label: str = "rater_id", ax=None, title: str | None = None,
                    threshold: float | None = None):
    """Leniency with intervals (from kpilib.ratings.rater_leniency; raters without one are
    left out); flagged raters in colour; dashed lines at ±`threshold` when given."""
    ax = _ax(ax)
    frame = table.dropna(subset=["leniency"]).sort_values("leniency").reset_index(drop=True)
    colours = frame["flag"].map({"lenient": _colour(1), "severe": _colour()}).fillna("#999999")
    ax.errorbar(frame["leniency"], frame.index, xerr=[frame["leniency"] - frame["ci_low"], frame["ci_high"] - frame["leniency"]],
                fmt="none", ecolor="#bbbbbb")
    ax.scatter(frame["leniency"], frame.index, c=colours, zorder=3)
    ax.set_yticks(frame.index, frame[label].astype(str))
    ax.axvline(0, color="#666666", linewidth=1)
    for edge in (-threshold, threshold) if threshold else ():
        ax.axvline(edge, color="#666666", linewidth=1, linestyle="--")
    ax.set_title(title or "")
    return ax
