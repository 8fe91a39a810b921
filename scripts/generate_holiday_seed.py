#!/usr/bin/env python
"""Thin wrapper: `lead-analytics holidays` (lead_analytics.commands.holidays); same options."""

import sys

from lead_analytics.commands.holidays import main

if __name__ == "__main__":
    sys.exit(main())
