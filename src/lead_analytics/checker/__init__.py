"""An independent recomputation of the headline marts from the raw tables (polars, no dbt
models): ``rules`` reads the seeds and vars, ``leads`` the per-lead facts, ``reports`` the
aggregates."""
