#!/usr/bin/env python
"""Thin wrapper: `lead-analytics run` (lead_analytics.commands.run); same options."""

import sys

from lead_analytics.commands.run import main

if __name__ == "__main__":
    sys.exit(main())
