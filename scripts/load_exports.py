#!/usr/bin/env python
"""Thin wrapper: `lead-analytics load` (lead_analytics.commands.load); same options."""

import sys

from lead_analytics.commands.load import main

if __name__ == "__main__":
    sys.exit(main())
