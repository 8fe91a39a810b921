#!/usr/bin/env python
"""Thin wrapper: `lead-analytics check` (lead_analytics.commands.check); same options."""

import sys

from lead_analytics.commands.check import main

if __name__ == "__main__":
    sys.exit(main())
