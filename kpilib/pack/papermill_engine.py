"""The papermill engine `kpireport` (entry point `papermill.engine` → `WarmEngine`): notebooks
run on the calling thread's warm kernel (`kpilib.pack.warm`).

Kept apart from `kpilib.pack.warm` and importing nothing of kpilib at the top: papermill loads
its entry points while it is itself being imported, and the first import of papermill in a
process may come from `kpilib.pack.warm` (a Dask worker unpickling one of its functions), so the
entry point must not point into a module that is still half imported. Import `WarmEngine` from
`kpilib.pack.warm`, which imports papermill first."""

from __future__ import annotations

from papermill.engines import Engine


class WarmEngine(Engine):
    """papermill engine: the notebook runs on the calling thread's warm kernel."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        from kpilib.pack import warm

        return warm.run_managed(nb_man, kernel_name, **kwargs)
