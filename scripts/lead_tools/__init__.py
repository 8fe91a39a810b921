"""Shared helpers for the project's Python tools (generator, loader, checker, benchmarks)."""
