"""``lead-analytics``: one entry point for the project's tools.

Each subcommand is a module of ``lead_analytics.commands`` with its own options
(``lead-analytics load --help``); the Makefile targets and the thin wrappers in
``scripts/`` run the same code.
"""

from __future__ import annotations

import importlib
import sys

import typer

app = typer.Typer(
    name="lead-analytics",
    help="Lead handoff analytics: load CRM/MA exports, build the marts, check them.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

# name -> (module of lead_analytics.commands, one line for the listing)
COMMANDS = {
    "run": ("run", "The main job on an export folder: load -> dbt build -> docs -> KPI summary."),
    "load": ("load", "Load a folder of CRM/MA exports into the DuckDB warehouse (schema raw)."),
    "generate": ("generate", "Write realistic sample exports (the demo's data)."),
    "check": ("check", "Recompute the headline marts independently and compare."),
    "summary": ("summary", "Print the warehouse's loads and headline KPIs."),
    "bench": ("bench", "Benchmark the pipeline (load, dbt build, tests) at a given size."),
    "bench-load": ("bench_load", "Benchmark the loader against DuckDB's own CSV reader."),
    "holidays": ("holidays", "Regenerate the holiday seed (seeds/calendar/holidays.csv)."),
}

# the subcommand's own parser reads every argument, --help included
PASS_THROUGH = {
    "allow_extra_args": True,
    "ignore_unknown_options": True,
    "help_option_names": [],
}


def _command(name: str, module: str, summary: str) -> None:
    def command(ctx: typer.Context) -> None:
        main = importlib.import_module(f"lead_analytics.commands.{module}").main
        sys.argv[0] = f"lead-analytics {name}"  # argparse's prog in usage lines
        raise typer.Exit(main(list(ctx.args)) or 0)

    command.__doc__ = summary
    app.command(name=name, context_settings=PASS_THROUGH, help=summary)(command)


for _name, (_module, _summary) in COMMANDS.items():
    _command(_name, _module, _summary)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
