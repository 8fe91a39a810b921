"""The export loader: one contract (or vendor) CSV file = one transaction into schema raw.

``load_folder`` / ``run_load`` are the API; ``core`` runs a load, ``files`` reads and
checks the bytes (encodings, headers, line facts), ``sql`` builds the typing and
validation SQL, ``results`` holds the per-file results, ``parquet`` writes the raw tables
as Parquet for Spark.
"""

from __future__ import annotations

import importlib

# The API, imported on first use: the vendors' folds (lead_analytics.profiles.vendors)
# import the loader's SQL helpers, and the loader imports the profiles.
_API = {
    "FileResult": "lead_analytics.loader.results",
    "LoadReport": "lead_analytics.loader.core",
    "load_folder": "lead_analytics.loader.core",
    "run_load": "lead_analytics.loader.core",
    "InputFileError": "lead_analytics.errors",
    "LoaderError": "lead_analytics.errors",
    "UsageError": "lead_analytics.errors",
}
__all__ = sorted(_API)


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_API[name]), name)
