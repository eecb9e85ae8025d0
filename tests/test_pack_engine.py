"""The pack's engine: warm kernels as a papermill engine, kernels replaced every N notebooks,
executors by name, the request object, and the no-change check made before anything heavy."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import nbformat
import pytest

from kpilib.pack import engines, execute, fresh, warm
from kpilib.pack.request import PackRequest
from kpilib.problems import UserError
from tests.conftest import ROOT

# module state a namespace reset keeps: only a fresh kernel starts it again at 1
COUNT = "import json\njson._kpireport_runs = getattr(json, '_kpireport_runs', 0) + 1\nprint(f'runs={json._kpireport_runs}')"


def counting_notebook(path: Path, *extra: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("period = None", metadata={"tags": ["parameters"]}),
                                         nbformat.v4.new_code_cell(COUNT),
                                         *(nbformat.v4.new_code_cell(code) for code in extra)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def printed(nb) -> str:
    return "".join(o.get("text", "") for cell in nb.cells for o in cell.get("outputs", []) if o.get("name") == "stdout")


def test_the_entry_point_names_the_warm_engine():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["papermill.engine"]
    module, _, name = declared[warm.NAME].partition(":")
    from papermill.engines import Engine

    assert issubclass(getattr(importlib.import_module(module), name), Engine)


def as_installed(script: str, tmp_path) -> subprocess.CompletedProcess:
    """Run `script` in a fresh Python that sees the declared entry points as an installed
    distribution would (a dist-info on its path)."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["papermill.engine"]
    info = tmp_path / "kpireport_probe-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: kpireport-probe\nVersion: 0\n")
    (info / "entry_points.txt").write_text("[papermill.engine]\n" + "".join(f"{k} = {v}\n" for k, v in declared.items()))
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}"})


def test_papermill_finds_the_engine_by_its_entry_point(tmp_path):
    """As installed: papermill loads the entry points of group `papermill.engine` when imported."""
    script = ("from papermill.engines import papermill_engines\n"
              f"print(papermill_engines.get_engine({warm.NAME!r}).__name__)\n")
    done = as_installed(script, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "WarmEngine"


def test_a_process_that_imports_the_warm_kernels_first_loads_the_engine(tmp_path):
    """A Dask worker unpickles a function of kpilib.pack.warm before papermill is imported:
    papermill, imported by warm, loads the entry point while warm is half imported."""
    script = ("import kpilib.pack.warm as warm\nfrom papermill.engines import papermill_engines\n"
              f"print(papermill_engines.get_engine({warm.NAME!r}) is warm.WarmEngine)\n")
    done = as_installed(script, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def test_papermill_runs_notebooks_on_the_warm_engine(tmp_path):
    import papermill
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillExecutionError

    papermill_engines.register(warm.NAME, warm.WarmEngine)  # what the entry point does once installed
    source = counting_notebook(tmp_path / "count.ipynb", "print(f'period={period}')")
    try:
        first = papermill.execute_notebook(str(source), str(tmp_path / "1.ipynb"), parameters={"period": "2026Q3"},
                                           engine_name=warm.NAME, progress_bar=False)
        second = papermill.execute_notebook(str(source), str(tmp_path / "2.ipynb"), engine_name=warm.NAME,
                                            progress_bar=False)
        fresh_kernel = papermill.execute_notebook(str(source), None, engine_name=warm.NAME, progress_bar=False,
                                                  restart_every=1)
        assert printed(first) == "runs=1\nperiod=2026Q3\n"  # parameters injected the papermill way
        assert printed(second) == "runs=2\nperiod=None\n"  # the same kernel, its namespace reset
        assert printed(fresh_kernel).startswith("runs=1")
        assert (tmp_path / "2.ipynb").exists()
        broken = counting_notebook(tmp_path / "broken.ipynb", "raise ValueError('the sky fell')")
        with pytest.raises(PapermillExecutionError, match="the sky fell"):
            papermill.execute_notebook(str(broken), str(tmp_path / "3.ipynb"), engine_name=warm.NAME,
                                       progress_bar=False)
    finally:
        warm.release()


def test_kernels_are_replaced_every_n_notebooks_so_module_state_does_not_leak(tmp_path):
    from kpilib.branding import Branding
    from kpilib.pack.execute import run_local
    from kpilib.pack.plan import Document

    notebook = counting_notebook(tmp_path / "10_count.ipynb")
    docs = [Document("2026Q3", f"d{i}", "10_count", notebook, {"period": "2026Q3", "lang": "en"}, ("html",))
            for i in range(5)]
    results: list[tuple[str, dict]] = []
    run_local(docs, tmp_path / "out", 1, Branding(), lambda doc, r: results.append((doc.department, r)), restart_every=2)
    assert [r["status"] for _, r in results] == ["ok"] * 5
    runs = [(tmp_path / "out" / d.page).read_text(encoding="utf-8").count("runs=1") for d in docs]
    assert runs == [1, 0, 1, 0, 1]  # kernels of two notebooks each: the third and fifth start at 1 again
    assert not warm.kernels  # all shut down at the end


def test_lanes_started_while_the_pack_scores_run_its_documents_on_the_kernels_they_started(tmp_path, monkeypatch):
    from kpilib.branding import Branding
    from kpilib.pack.execute import run_local
    from kpilib.pack.plan import Document

    created: list[warm.WarmKernel] = []

    class Counted(warm.WarmKernel):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            created.append(self)

    monkeypatch.setattr(warm, "WarmKernel", Counted)
    notebook = counting_notebook(tmp_path / "10_count.ipynb")
    docs = [Document("2026Q3", f"d{i}", "10_count", notebook, {"period": "2026Q3", "lang": "en"}, ("html",))
            for i in range(4)]
    request = PackRequest(tmp_path / "out", jobs=2)
    with engines.ready("local", {}, tmp_path, request):
        deadline = time.monotonic() + 120
        while len(created) < 2 and time.monotonic() < deadline:  # the pack would be scoring meanwhile
            time.sleep(0.1)
        assert len(created) == 2
        results: list[dict] = []
        run_local(docs, tmp_path / "out", 2, Branding(), lambda doc, r: results.append(r))
    assert [r["status"] for r in results] == ["ok"] * 4
    assert len(created) == 2  # the documents ran on the two kernels started ahead, no others
    runs = sorted((tmp_path / "out" / d.page).read_text(encoding="utf-8").count("runs=1") for d in docs)
    assert runs == [0, 0, 1, 1]  # each kernel's first document counts 1, its second 2
    assert not warm.kernels

    with engines.ready("local", {}, tmp_path, request):  # no documents came: the lanes end with the context
        pass
    assert not warm.kernels and not execute._started


def test_executors_are_chosen_by_name():
    assert set(engines.EXECUTORS) >= {"local", "dask"}
    with pytest.raises(UserError, match=r"--engine: unknown 'spark' \(known: local, dask"):
        engines.get("spark")


def sample_copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    for path in (ROOT / "data" / "sample").iterdir():
        if path.is_file():
            (data / path.name).write_bytes(path.read_bytes())
    return data


def test_the_run_key_follows_everything_a_pack_depends_on(tmp_path, params, monkeypatch):
    monkeypatch.setenv("KPIREPORT_PARAMS", str(params))
    data = sample_copy(tmp_path)
    request = PackRequest(tmp_path / "out", data=data)
    key = fresh.run_key(request)
    assert key == fresh.run_key(PackRequest(tmp_path / "out", data=data, jobs=7, engine="dask", restart_every=3))
    assert key != fresh.run_key(PackRequest(tmp_path / "out", data=data, lang="en"))
    assert key != fresh.run_key(PackRequest(tmp_path / "out", data=data, sections=("overview",)))
    assert key != fresh.run_key(PackRequest(tmp_path / "elsewhere", data=data))
    measures = data / "measures.csv"
    measures.write_bytes(measures.read_bytes() + b"\n")
    assert fresh.run_key(request) != key
    key = fresh.run_key(request)
    (params / "scheme.yaml").write_text((params / "scheme.yaml").read_text() + "\n# changed\n")
    assert fresh.run_key(request) != key
    key = fresh.run_key(request)
    (params / "clients" / "acme" / "branding.yaml").write_text("company: Acme\n")
    assert fresh.run_key(request) == key  # another client's file
    assert fresh.run_key(PackRequest(tmp_path / "out", data=data, client="acme")) != key
    assert fresh.run_key(PackRequest(tmp_path / "out", data="sqlite:///hr.db")) is None  # a database: read to know


def test_a_pack_is_unchanged_only_when_whole_and_without_failures(tmp_path):
    request = PackRequest(tmp_path)
    period = tmp_path / "2026Q3"
    (period / "sales").mkdir(parents=True)
    for name in ("index.html", "2026Q3/index.html", "2026Q3/sales/10_overview.html", "2026Q3/scores.xlsx"):
        (tmp_path / name).write_text("x")
    documents = [{"department": "sales", "section": "10_overview", "status": "ok", "outputs": ["sales/10_overview.html"]}]

    def manifest(**fields) -> None:
        body = {"run_key": "k", "documents": documents, "sheets": ["scores.xlsx"], "bundles": [], **fields}
        (period / "manifest.json").write_text(json.dumps(body))

    manifest()
    assert fresh.unchanged(request, "k") == (period, documents)
    assert fresh.unchanged(request, "other") is None and fresh.unchanged(request, None) is None
    manifest(documents=[{**documents[0], "status": "failed"}])
    assert fresh.unchanged(request, "k") is None
    manifest()
    (period / "scores.xlsx").unlink()
    assert fresh.unchanged(request, "k") is None


def test_a_rerun_with_nothing_changed_loads_nothing_heavy(tmp_path, monkeypatch):
    """The CLI path of an unchanged pack: answered without importing pandas, nbconvert or the analytics."""
    from kpilib.origin import sample_dir

    out = tmp_path / "reports"
    request = PackRequest(out)
    period = out / "2026Q3"
    period.mkdir(parents=True)
    (out / "index.html").write_text("x")
    for name in ("index.html", "manifest.json"):
        (period / name).write_text("x")
    (period / "manifest.json").write_text(json.dumps({"run_key": fresh.run_key(request), "documents": []}))
    assert sample_dir().is_dir()
    script = ("import sys\nfrom kpilib.cli import app\n"
              f"app(['pack', '--out', {str(out)!r}], standalone_mode=False)\n"
              "heavy = [m for m in ('pandas', 'nbconvert', 'nbclient', 'kpilib.workbench', 'kpilib.scoring') if m in sys.modules]\n"
              "assert not heavy, heavy\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert "nothing changed since the last pack" in " ".join(done.stdout.split())


def test_lanes_keep_each_kernel_on_one_department_and_spread_them():
    from types import SimpleNamespace

    from kpilib.pack.execute import Lanes

    docs = [SimpleNamespace(department=d, n=i) for i, d in enumerate(
        ["sales", "hr", "all", "sales", "hr", "all", "sales", "sales", "all"])]  # section by section, as planned
    lanes = Lanes(docs)
    taken = [(lane, lanes.take(lane)) for lane in (0, 1, 0, 1, 0, 1, 0, 1, 0, 1)]
    order = [(lane, doc.department) if doc else (lane, None) for lane, doc in taken]
    assert order == [(0, "all"), (1, "sales"), (0, "all"), (1, "sales"), (0, "all"), (1, "sales"),
                     (0, "hr"), (1, "sales"), (0, "hr"), (1, None)]  # the company first, then the largest
    assert [doc.n for lane, doc in taken if doc and doc.department == "sales"] == [0, 3, 6, 7]  # in plan order


def test_cells_run_in_one_request_get_the_outputs_nbclient_gives_them(tmp_path):
    """kpilib.pack.cells: each cell's printed text, displays, result and error as papermill's
    own client (a request per cell) records them; no cell runs after the failing one, and
    papermill's bookkeeping marks it."""
    import nbformat
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NotebookExecutionManager

    cells = ["print('a'); import sys; print('warned', file=sys.stderr)",
             "from IPython.display import Markdown, display\ndisplay(Markdown('**bold**'))\n6 * 7",
             "import matplotlib.pyplot as plt\nplt.plot([1, 2]);",
             "raise ValueError('the sky fell')", "print('never')"]

    def executed(batched: bool):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# title")]
                                      + [nbformat.v4.new_code_cell(c) for c in cells])
        nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata.papermill = {}
        manager = NotebookExecutionManager(nb, progress_bar=False)
        manager.notebook_start()
        if batched:
            warm.run_managed(manager, "python3", cwd=tmp_path, restart_every=1)
        else:
            kernel = warm.kernel({}, tmp_path, restart_every=1)
            kernel.reset()
            client = PapermillNotebookClient(manager, km=kernel.km, kernel_name="python3")
            client.kc = kernel.kc
            client.execute()
        return manager.nb

    try:
        one, each = executed(True), executed(False)
    finally:
        warm.release()
    def outputs(nb):  # execution counts aside (also in the traceback's "In[6]")
        return [[{k: [re.sub(r"In\[\d+\]", "In[n]", line) for line in v] if k == "traceback" else v
                  for k, v in o.items() if k != "execution_count"} for o in c.get("outputs", [])] for c in nb.cells]

    assert outputs(one) == outputs(each)
    assert [o["output_type"] for o in one.cells[1].outputs] == ["stream", "stream"]
    assert [o["output_type"] for o in one.cells[2].outputs] == ["display_data", "execute_result"]
    assert one.cells[2].outputs[1]["data"]["text/plain"] == "42" and "image/png" in one.cells[3].outputs[0]["data"]
    assert one.cells[4].outputs[0]["ename"] == "ValueError" and one.cells[5].outputs == []
    assert one.cells[4].metadata.papermill["exception"] and one.metadata.papermill["exception"]
    assert one.cells[5].metadata.papermill["status"] == each.cells[5].metadata.papermill["status"]
    counts = [c.execution_count for c in one.cells[1:5]]
    assert counts == sorted(counts) and len(set(counts)) == 4
    assert one.metadata.language_info == each.metadata.language_info
