"""kpilib: department KPI evaluation, from raw measures to ranked, tiered, explained scores.

Layers (lower never imports higher): data/config → kpis → scoring → analytics → plots → pack/cli.
"""

__version__ = "0.1.0"
