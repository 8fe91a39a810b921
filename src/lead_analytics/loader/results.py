"""What a load says about each file: the result the loader returns and the CLI prints."""

from __future__ import annotations

from dataclasses import dataclass, field

STATUS_LOADED = "loaded"
STATUS_ALREADY = "already loaded"
STATUS_FAILED = "failed"
# contract rows a vendor's fold derived from the vendor's own tables (lead_analytics.profiles.vendors)
STATUS_DERIVED = "derived"


@dataclass
class FileResult:
    """What happened to one contract file. ``rows_read == rows_loaded + rows_quarantined``."""

    file_name: str
    table: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    status: str = "pending"
    load_id: int | None = None
    encoding: str | None = None
    file_hash: str | None = None
    file_bytes: int = 0
    duration_seconds: float = 0.0
    error: str | None = None
    notes: list[str] = field(default_factory=list)
