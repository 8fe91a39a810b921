#!/usr/bin/env python
"""Thin wrapper: `lead-analytics summary` (lead_analytics.commands.summary); same options."""

import sys

from lead_analytics.commands.summary import main

if __name__ == "__main__":
    sys.exit(main())
