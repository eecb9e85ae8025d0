"""The report pack for one period (architecture.md): `kpilib.pack.build.build_pack` takes a
`kpilib.pack.request.PackRequest`, `kpilib.pack.fresh` says whether anything changed,
`kpilib.pack.assemble` plans (`plan`), runs (`engines`, `execute`, `warm`), renders
(`render`, `book`), indexes (`index`) and writes the period (`scoresheets`, `restate`,
`bundle`, `carry`, `guard`). This package imports none of them: each is imported where it
is used, so a light one (`fresh`, `warm`) loads no analytics.
"""
