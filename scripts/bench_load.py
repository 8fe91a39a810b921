#!/usr/bin/env python
"""Thin wrapper: `lead-analytics bench-load` (lead_analytics.commands.bench_load); same options."""

import sys

from lead_analytics.commands.bench_load import main

if __name__ == "__main__":
    sys.exit(main())
