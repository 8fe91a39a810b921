#!/usr/bin/env python
"""Thin wrapper: `lead-analytics bench` (lead_analytics.commands.bench); same options."""

import sys

from lead_analytics.commands.bench import main

if __name__ == "__main__":
    sys.exit(main())
