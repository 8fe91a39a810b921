"""What a vendor is to the loader: its own tables, and the fold that derives contract rows.

A vendor's files load as they are, with every guarantee of the loader (typing, quarantine
with file and line, upserts, idempotent re-loads, the audit), into schema ``raw_<vendor>``:
one table per vendor object (``raw_salesforce.lead``, ``raw_salesforce.task``, ...). The
fold then turns those tables into contract rows (``raw.leads``, ``raw.activities``, ...):
the joins and rules a header rename cannot express (Task + Event -> activities, a converted
lead's activities on its contact, the name twins of LeadHistory's owner changes, ...). See
``lead_analytics.profiles.vendors.fold`` for how its rows are merged and recorded.

A fold is SQL run by DuckDB, written as a list of steps:

- ``Step(name, sql)``: a temporary view (``sql`` is its SELECT) the later steps read;
- a step that classifies a vendor table's rows gives ``disposition_of``: the vendor table it
  classifies. Its view has every row of that table and a column ``_use``: NULL for a row
  that becomes (or feeds) contract rows, else the reason it is not used, in words. The
  loader prints one line per reason with its count (``loaded = used + not used``, per
  vendor table), never one per row;
- ``Output(contract_file, sql)``: the SELECT of the contract rows of one contract file, with
  the contract's columns and ``_source_file``, ``_source_line``, ``_file_hash`` of the
  vendor row each comes from (a derived row says where it was read).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lead_analytics.contract import Column, ColumnType, ExportFile


@dataclass(frozen=True)
class Step:
    name: str
    sql: str
    disposition_of: str | None = None  # vendor table whose rows this view classifies (_use)


@dataclass(frozen=True)
class Output:
    contract_file: str
    sql: str
    sources: tuple[str, ...]  # vendor tables it reads, for the audit's file name


@dataclass(frozen=True)
class FoldContext:
    """What a fold may read besides the vendor tables: the profile's header names (to find
    a custom field's history rows by its API name) and the load's wall-clock instant."""

    column_names: dict[str, dict[str, tuple[str, ...]]]  # table -> column -> folded names
    written_names: dict[str, dict[str, tuple[str, ...]]]  # the same, as written
    options: dict[str, object] = field(default_factory=dict)  # the vendor's, with the profile's


@dataclass(frozen=True)
class Vendor:
    name: str
    title: str  # "Salesforce"
    tables: tuple[ExportFile, ...]
    fold: Callable[[FoldContext], tuple[list[Step], list[Output]]]
    # (table, column) -> what is lost when a file comes without that column: said once per
    # file, as a note of the load
    missing_column_notes: dict[tuple[str, str], str] = field(default_factory=dict)
    # what the vendor's files hold that the contract cannot express: said once per load
    not_expressed: tuple[str, ...] = ()
    # rules of the fold a profile may change (`options:` in its YAML), with their defaults:
    # a list of labels, or a mapping of name patterns to labels
    options: dict[str, object] = field(default_factory=dict)

    @property
    def schema(self) -> str:
        return f"raw_{self.name}"

    def table(self, name: str) -> ExportFile:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)


def vendor_table(
    schema: str,
    name: str,
    kind: str,
    columns: list[tuple[str, ColumnType] | tuple[str, ColumnType, bool]],
    key: tuple[str, ...] = ("id",),
    order_column: str | None = None,
    fallback_key: tuple[str, ...] = (),
    future: tuple[str, ...] = (),
) -> ExportFile:
    """An ExportFile for a vendor object: ``columns`` as (name, type[, required]); ``future``
    names the timestamps that may lie after the load instant (a planned meeting)."""
    unknown = set(future) - {c[0] for c in columns}
    assert not unknown, f"{schema}.{name}: future names unknown columns {sorted(unknown)}"
    return ExportFile(
        name=name,
        kind=kind,  # type: ignore[arg-type]
        key=key,
        columns=tuple(
            Column(c[0], c[1], bool(c[2]) if len(c) > 2 else False, c[0] in future) for c in columns
        ),
        fallback_key=fallback_key,
        order_column=order_column,
        schema=schema,
    )
