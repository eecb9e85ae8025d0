"""pyproject.toml and environment.yml list the same dependencies."""

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def names(specs):
    return {re.split(r"[<>=\[ ]", s, maxsplit=1)[0].lower() for s in specs if isinstance(s, str)}


def test_environment_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip = names(project["dependencies"]) | names(project["optional-dependencies"]["dev"])
    pip = {"distributed" if n == "dask" else n for n in pip} | {"dask"}  # dask[distributed] is both
    conda = names(yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]) - {"python", "pip"}
    assert pip == conda


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text() and "make pack" in (ROOT / "README.md").read_text()


def test_ruff_is_clean():
    import shutil
    import subprocess
    import sys

    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    run = subprocess.run([ruff, "check", "kpilib", "tests", "bench"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout


def test_kpilib_modules_stay_small():
    for path in (ROOT / "kpilib").glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 500, path.name


DOCUMENTED = ("stats", "outcomes", "separation", "trends", "tiers", "appeal", "drivers", "uncertainty", "teams",
              "team_units", "leading", "mixed", "incentives", "ranking", "rank_agreement", "transitions",
              "ratings", "rating_patterns", "rater_model")  # analytics modules whose every public function has a numpydoc docstring


@pytest.mark.parametrize("module", DOCUMENTED)
def test_public_analytics_functions_have_parameters_returns_and_an_example(module):
    import importlib
    import inspect

    mod = importlib.import_module(f"kpilib.{module}")
    undocumented = [name for name, f in inspect.getmembers(mod, inspect.isfunction)
                    if not name.startswith("_") and f.__module__ == mod.__name__
                    and not all(k in (f.__doc__ or "") for k in ("Parameters", "Returns", ">>>"))]
    assert not undocumented, f"kpilib.{module}: {undocumented} lack Parameters, Returns or an Example (>>>)"
