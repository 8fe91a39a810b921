#!/usr/bin/env python
"""Thin wrapper: `lead-analytics generate` (lead_analytics.commands.generate); same options."""

import sys

from lead_analytics.commands.generate import main

if __name__ == "__main__":
    sys.exit(main())
