"""Lead handoff analytics: the Python side of the dbt project.

- ``loader``: CSV exports -> DuckDB schema ``raw`` (typed, quarantined, audited);
- ``profiles``: import profiles (renames) and vendors' own files (Salesforce, HubSpot,
  Marketo, Pardot) folded into the export contract;
- ``generator``: realistic sample exports; ``checker``: an independent recomputation of
  the headline marts;
- ``commands``: the subcommands of the ``lead-analytics`` CLI (``cli.py``).
"""
