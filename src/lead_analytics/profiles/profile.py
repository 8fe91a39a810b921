"""Import profiles: vendor-shaped exports mapped onto the export contract.

A CRM or MA tool seldom writes `leads.csv` with `lead_id, created_at, ...`. A profile (a YAML
file in `import_profiles/`, or any path) says which file names and header names mean what.
There are two kinds.

A *rename* profile maps file and header names straight onto the contract, for exports whose
rows already are contract rows under other names (a Japanese report, an Excel list):

    files:
      leads: [リード.csv, "leads_*.csv"]      # names or glob patterns
    columns:
      leads:
        lead_id: [リードID, レコードID]        # first one present wins; the others stay extra columns
        created_at: [作成日時]

A *vendor* profile (`vendor: salesforce`) reads a vendor's own files as they are (Salesforce's
Lead, LeadHistory, Task, Event, ...): its `files` and `columns` name the vendor's tables and
columns (declared in `lead_analytics.profiles.vendors`), which load into schema `raw_<vendor>` with every
guarantee of the loader, and the vendor's fold then derives the contract rows from them
(conversions, owner twins, activities on converted contacts, ...).

The canonical names keep working with a profile. Names are matched after Unicode NFKC
folding (full-width = half-width), case folding, and with spaces, underscores and hyphens
ignored, so `リード ID`, `ﾘｰﾄﾞID` and `リードid` are one name, and Salesforce's `CreatedDate`,
Data Loader's `CREATEDDATE` and a replication tool's `created_date` too. A header name may be
a glob pattern (`Date entered "Closed Won*`). Values are not touched: labels (statuses,
sources, roles, activity types) are mapped by the seeds in `seeds/mappings/`.
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from lead_analytics.contract import BY_NAME, ExportFile
from lead_analytics.errors import UsageError
from lead_analytics.profiles.vendors import VENDORS, Vendor
from lead_analytics.settings import REPO_ROOT

PROFILE_DIR = REPO_ROOT / "import_profiles"


def fold(name: str) -> str:
    """The form names are compared in: NFKC, case-folded, without blanks, '_' and '-'."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"[\s_\-]+", "", folded)


@dataclass(frozen=True)
class ImportProfile:
    name: str
    source: Path
    # table key (a contract file, or a vendor table) -> file names or glob patterns (as written)
    file_patterns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # table key -> column -> header names in order of preference (folded)
    column_names: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    # the same, as written in the profile (for messages)
    written_names: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    # the vendor whose own files this profile reads; None for a rename profile
    vendor: Vendor | None = None
    description: str = ""
    # the vendor's fold options, the profile's values over the vendor's defaults
    options: dict[str, object] = field(default_factory=dict)

    @property
    def specs(self) -> dict[str, ExportFile]:
        """The tables the profile's keys name: the contract's, or the vendor's."""
        if self.vendor is None:
            return dict(BY_NAME)
        return {table.name: table for table in self.vendor.tables}

    def file_for(self, file_name: str) -> ExportFile | None:
        """The table a file of this name loads into, by the profile; None if no pattern fits."""
        lowered = file_name.lower()
        for key, patterns in self.file_patterns.items():
            if any(fnmatch.fnmatchcase(lowered, pattern.lower()) for pattern in patterns):
                return self.specs[key]
        return None

    def owns(self, spec: ExportFile) -> bool:
        """Whether the header names of ``spec``'s files come from this profile."""
        return self.specs.get(spec.name) is spec

    def header_names(self, table: str, headers: list[str]) -> dict[int, str]:
        """Positions of `headers` (trimmed, unquoted) that the profile names as a column.

        Per column, the first of its names (in the profile's order) found in the header; a
        name with `*` is a glob pattern. A column whose own name is in the header keeps that
        one.
        """
        folded = [fold(h) for h in headers]
        canonical = {h.lower() for h in headers}
        mapped: dict[int, str] = {}
        for column, names in self.column_names.get(table, {}).items():
            if column in canonical:
                continue
            for name in names:
                position = _position(folded, name, set(mapped))
                if position is not None:
                    mapped[position] = column
                    break
        return mapped

    def expected_names(self, table: str, column: str) -> str:
        """How the profile writes the header names of a column, for messages."""
        names = self.written_names.get(table, {}).get(column, ())
        if not names:  # a vendor column's own name, as an API name: created_date -> CreatedDate
            names = ("".join(word.capitalize() for word in column.split("_")),)
        return " or ".join(names)


def _position(folded: list[str], name: str, taken: set[int]) -> int | None:
    if "*" in name:
        for position, header in enumerate(folded):
            if position not in taken and fnmatch.fnmatchcase(header, name):
                return position
        return None
    if name in folded and folded.index(name) not in taken:
        return folded.index(name)
    return None


def profile_names() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yml"))


def load_profiles(names: str | Path | list[str | Path] | None) -> list[ImportProfile]:
    """The profiles of ``--profile``: one name or path, several separated by commas
    (`salesforce,marketo`: a Salesforce export with the Marketo activity log beside it), or a
    list of them."""
    if names is None:
        return []
    if isinstance(names, str):
        names = [part.strip() for part in names.split(",") if part.strip()]
    elif isinstance(names, Path):
        names = [names]
    profiles = [load_profile(name) for name in names]
    seen: dict[str, str] = {}
    for profile in profiles:
        if profile.name in seen:
            raise UsageError(f"import profile {profile.name} is given twice")
        seen[profile.name] = profile.name
    return profiles


def load_profile(name_or_path: str | Path) -> ImportProfile:
    """The profile named `name_or_path` (a file of import_profiles/) or at that path.

    Raises UsageError naming the file and the entry for anything it cannot use."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILE_DIR / f"{name_or_path}.yml"
    if not path.is_file():
        known = ", ".join(profile_names()) or "none"
        raise UsageError(
            f"import profile {name_or_path!s} not found (give a file path, or one of: {known})"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageError(f"{path}: cannot read the import profile: {exc}") from exc
    if not isinstance(data, dict):
        raise UsageError(f"{path}: an import profile is a mapping with 'files' and 'columns'")
    unknown_keys = set(data) - {"description", "vendor", "files", "columns", "options"}
    if unknown_keys:
        raise UsageError(f"{path}: unknown key(s) {', '.join(sorted(unknown_keys))}")

    vendor = None
    if data.get("vendor") is not None:
        vendor = VENDORS.get(str(data["vendor"]))
        if vendor is None:
            raise UsageError(
                f"{path}: vendor: unknown vendor {data['vendor']!r} (one of: {', '.join(VENDORS)})"
            )
    specs = BY_NAME if vendor is None else {table.name: table for table in vendor.tables}
    kind = "export file" if vendor is None else f"{vendor.name} table"

    def names_list(value: object, where: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise UsageError(f"{path}: {where}: expected a list of names")
        return tuple(v.strip() for v in value)

    def table_key(key: object, where: str) -> str:
        if key not in specs:
            known = ", ".join(specs)
            raise UsageError(f"{path}: {where}: unknown {kind} {key!r} (one of: {known})")
        return str(key)

    file_patterns: dict[str, tuple[str, ...]] = {}
    claimed: dict[str, str] = {}
    for key, value in (data.get("files") or {}).items():
        name = table_key(key, "files")
        file_patterns[name] = names_list(value, f"files.{key}")
        for pattern in file_patterns[name]:
            if pattern.lower() in claimed and claimed[pattern.lower()] != name:
                raise UsageError(
                    f"{path}: files: {pattern!r} is given for both "
                    f"{claimed[pattern.lower()]} and {name}"
                )
            claimed[pattern.lower()] = name

    column_names: dict[str, dict[str, tuple[str, ...]]] = {}
    written_names: dict[str, dict[str, tuple[str, ...]]] = {}
    for key, columns in (data.get("columns") or {}).items():
        name = table_key(key, "columns")
        if not isinstance(columns, dict):
            raise UsageError(f"{path}: columns.{key}: expected columns with their names")
        known_columns = {c.name for c in specs[name].columns}
        what = f"{name}.csv" if vendor is None else f"the {vendor.name} table {name}"
        seen: dict[str, str] = {}
        column_names[name] = {}
        written_names[name] = {}
        for column, value in columns.items():
            if column not in known_columns:
                raise UsageError(
                    f"{path}: columns.{key}: {column!r} is not a column of {what} "
                    f"(one of: {', '.join(sorted(known_columns))})"
                )
            written = names_list(value, f"columns.{key}.{column}")
            folded = tuple(fold(v) for v in written)
            for original, f in zip(written, folded, strict=True):
                if f in seen and seen[f] != column:
                    raise UsageError(
                        f"{path}: columns.{key}: {original!r} is given for both "
                        f"{seen[f]} and {column}"
                    )
                seen[f] = column
            column_names[name][column] = folded
            written_names[name][column] = written
    if vendor is not None:
        for table in vendor.tables:
            if table.name not in file_patterns:
                raise UsageError(
                    f"{path}: files: no file names for the {vendor.name} table {table.name}"
                )
            # a vendor column also answers to its own name in any spelling: Salesforce's
            # ConvertedOpportunityId, Data Loader's CONVERTEDOPPORTUNITYID and a replication
            # tool's converted_opportunity_id are the column converted_opportunity_id
            names = column_names.setdefault(table.name, {})
            for column in table.columns:
                own = fold(column.name)
                if own not in names.get(column.name, ()):
                    names[column.name] = (*names.get(column.name, ()), own)
    options = _options(path, vendor, data.get("options"))
    return ImportProfile(
        path.stem,
        path,
        file_patterns,
        column_names,
        written_names,
        vendor,
        str(data.get("description") or ""),
        options,
    )


def _options(path: Path, vendor: Vendor | None, given: object) -> dict[str, object]:
    """The vendor's fold options with the profile's values: each one of the type of its
    default (a list of labels, or a mapping of patterns to labels)."""
    if given is None:
        given = {}
    if vendor is None:
        if given:
            raise UsageError(f"{path}: options: only a vendor profile has options")
        return {}
    if not isinstance(given, dict):
        raise UsageError(f"{path}: options: expected a mapping of option names to values")
    options = dict(vendor.options)
    for name, value in given.items():
        if name not in vendor.options:
            known = ", ".join(vendor.options) or "none"
            raise UsageError(f"{path}: options: unknown option {name!r} (one of: {known})")
        default = vendor.options[name]
        if isinstance(default, dict):
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                raise UsageError(f"{path}: options.{name}: expected a mapping of names to labels")
        elif not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise UsageError(f"{path}: options.{name}: expected a list of labels")
        options[name] = value
    return options
