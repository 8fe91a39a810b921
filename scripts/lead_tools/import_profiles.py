"""Import profiles: vendor-shaped exports mapped onto the export contract by name.

A CRM or MA tool seldom writes `leads.csv` with `lead_id, created_at, ...`: Salesforce
writes `Lead.csv` with `Id, CreatedDate, ...`, HubSpot `Record ID, Create Date, ...`, a
Japanese report `リードID, 作成日時, ...`. A profile (a YAML file in `import_profiles/`, or
any path) says which file names and header names mean which contract file and column:

    files:
      leads: [Lead.csv, "hubspot-crm-exports-*contacts*.csv"]   # names or glob patterns
    columns:
      leads:
        lead_id: [Id, Record ID]      # first one present wins; the others stay extra columns
        created_at: [CreatedDate]

The canonical names keep working with a profile. Names are matched after Unicode NFKC
folding (full-width = half-width), case folding, and with spaces, underscores and hyphens
ignored, so `リード ID`, `ﾘｰﾄﾞID` and `リードid` are one name. Values are not touched: labels
(statuses, sources, roles, activity types) are mapped by the seeds in `seeds/mappings/`.
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from lead_tools.contract import BY_NAME
from lead_tools.loader_files import UsageError

PROFILE_DIR = Path(__file__).resolve().parents[2] / "import_profiles"


def fold(name: str) -> str:
    """The form names are compared in: NFKC, case-folded, without blanks, '_' and '-'."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"[\s_\-]+", "", folded)


@dataclass(frozen=True)
class ImportProfile:
    name: str
    source: Path
    # contract file name -> file names or glob patterns (as written, matched case-insensitively)
    file_patterns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # contract file name -> contract column -> header names in order of preference (folded)
    column_names: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    def file_for(self, file_name: str) -> str | None:
        """The contract file a file of this name is, by the profile; None if no pattern fits."""
        lowered = file_name.lower()
        for contract_file, patterns in self.file_patterns.items():
            if any(fnmatch.fnmatchcase(lowered, pattern.lower()) for pattern in patterns):
                return contract_file
        return None

    def header_names(self, contract_file: str, headers: list[str]) -> dict[int, str]:
        """Positions of `headers` (trimmed, unquoted) that the profile names as a contract column.

        Per contract column, the first of its names (in the profile's order) found in the
        header. A column whose canonical name is in the header keeps that one.
        """
        folded = [fold(h) for h in headers]
        canonical = {h.lower() for h in headers}
        mapped: dict[int, str] = {}
        for column, names in self.column_names.get(contract_file, {}).items():
            if column in canonical:
                continue
            for name in names:
                if name in folded:
                    mapped[folded.index(name)] = column
                    break
        return mapped


def profile_names() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yml"))


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
    unknown_keys = set(data) - {"description", "files", "columns"}
    if unknown_keys:
        raise UsageError(f"{path}: unknown key(s) {', '.join(sorted(unknown_keys))}")

    def names_list(value: object, where: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise UsageError(f"{path}: {where}: expected a list of names")
        return tuple(v.strip() for v in value)

    def contract_file(key: object, where: str) -> str:
        if key not in BY_NAME:
            known = ", ".join(BY_NAME)
            raise UsageError(f"{path}: {where}: unknown export file {key!r} (one of: {known})")
        return str(key)

    file_patterns: dict[str, tuple[str, ...]] = {}
    claimed: dict[str, str] = {}
    for key, value in (data.get("files") or {}).items():
        name = contract_file(key, "files")
        file_patterns[name] = names_list(value, f"files.{key}")
        for pattern in file_patterns[name]:
            if pattern.lower() in claimed and claimed[pattern.lower()] != name:
                raise UsageError(
                    f"{path}: files: {pattern!r} is given for both "
                    f"{claimed[pattern.lower()]} and {name}"
                )
            claimed[pattern.lower()] = name

    column_names: dict[str, dict[str, tuple[str, ...]]] = {}
    for key, columns in (data.get("columns") or {}).items():
        name = contract_file(key, "columns")
        if not isinstance(columns, dict):
            raise UsageError(f"{path}: columns.{key}: expected contract columns with their names")
        known_columns = {c.name for c in BY_NAME[name].columns}
        seen: dict[str, str] = {}
        column_names[name] = {}
        for column, value in columns.items():
            if column not in known_columns:
                raise UsageError(
                    f"{path}: columns.{key}: {column!r} is not a column of {name}.csv "
                    f"(one of: {', '.join(sorted(known_columns))})"
                )
            folded = tuple(fold(v) for v in names_list(value, f"columns.{key}.{column}"))
            for original, f in zip(names_list(value, ""), folded, strict=True):
                if f in seen and seen[f] != column:
                    raise UsageError(
                        f"{path}: columns.{key}: {original!r} is given for both "
                        f"{seen[f]} and {column}"
                    )
                seen[f] = column
            column_names[name][column] = folded
    return ImportProfile(path.stem, path, file_patterns, column_names)
