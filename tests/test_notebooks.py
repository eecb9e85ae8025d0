"""Every section notebook: committed clean, parameterised per interfaces.md §5, and run
by papermill on the sample company, for a department and at company level."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from kpilib.pack.plan import levels_of

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
REQUIRED = {"period", "department", "data_dir", "client", "lang"}


def test_there_are_section_notebooks():
    assert [p.stem for p in NOTEBOOKS] == ["10_overview", "20_performance", "30_rankings", "40_trends",
                                          "50_drivers", "60_incentives", "70_details"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_clean_and_parameterised(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "outputs must be stripped"
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    names = {t.id for node in ast.walk(ast.parse(params[0].source)) if isinstance(node, ast.Assign)
             for t in node.targets if isinstance(t, ast.Name)}
    assert names >= REQUIRED
    assert all(len(c.source.splitlines()) <= 25 for c in code)
    own = path.stem.split("_", 1)[1]  # 20_performance → kpilib.sections.performance
    imported = re.search(r"^from kpilib\.sections import (.+)$", code[1].source, re.M)
    assert imported and own in imported.group(1).split(", "), "imports its section module"
    import kpilib.sections
    assert all(inspect.ismodule(getattr(kpilib.sections, name)) for name in imported.group(1).split(", "))  # no table of that name
    for c in code:  # no business logic: cells call kpilib, they do not compute with pandas
        assert not any(s in c.source for s in ("groupby", ".mean(", ".query(", ".attrs[", "import pandas")), c.source


def _runs():
    for path in NOTEBOOKS:
        for department in ("sales", "all"):
            level = "company" if department == "all" else "department"
            if level in levels_of(path):
                yield pytest.param(path, department, id=f"{path.stem}-{department}")


@pytest.mark.parametrize(("path", "department"), list(_runs()))
def test_notebook_runs_with_papermill(path, department, tmp_path, monkeypatch):
    monkeypatch.setenv("KPIREPORT_CACHE", str(tmp_path.parent / "kpireport-cache"))
    lang = "en" if path.stem == "30_rankings" else "zh"
    out = tmp_path / path.name
    pm.execute_notebook(str(path), str(out), parameters={"period": "2026Q3", "department": department,
                                                         "lang": lang}, kernel_name="python3", progress_bar=False,
                        cwd=str(path.parent))
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") + o.get("data", {}).get("text/markdown", "")
                   for o in outputs)
    assert ("2026Q3" in html) and (("Sales" if lang == "en" else "销售部") in html or department == "all")


def test_a_clients_notebook_speaks_its_language(tmp_path, monkeypatch):
    """`papermill -p client X` without `lang`: the client's branding language and company name."""
    import shutil

    params = tmp_path / "params"
    shutil.copytree(ROOT / "params", params, ignore=shutil.ignore_patterns("clients"))
    folder = params / "clients" / "nw"
    folder.mkdir(parents=True)
    (folder / "branding.yaml").write_text("company: Northwind Ltd\nlanguage: en\ncolours: {primary: '#7a1f5c'}\n",
                                          encoding="utf-8")
    monkeypatch.setenv("KPIREPORT_PARAMS", str(params))
    path = ROOT / "notebooks" / "10_overview.ipynb"
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(path), str(out), parameters={"period": "2026Q3", "department": "all", "client": "nw"},
                        kernel_name="python3", progress_bar=False, cwd=str(path.parent))
    nb = nbformat.read(out, as_version=4)
    shown = "".join(o.get("data", {}).get("text/markdown", "") for c in nb.cells if c.cell_type == "code"
                    for o in c.outputs)
    assert "Northwind Ltd · 2026Q3 · Overview and rules" in shown and "概览" not in shown
