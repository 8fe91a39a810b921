"""The vendors whose own export files the loader reads (``vendor:`` in an import profile)."""

from __future__ import annotations

from lead_tools.vendors.base import Vendor
from lead_tools.vendors.hubspot import HUBSPOT
from lead_tools.vendors.marketo import MARKETO
from lead_tools.vendors.pardot import PARDOT
from lead_tools.vendors.salesforce import SALESFORCE

VENDORS: dict[str, Vendor] = {
    vendor.name: vendor for vendor in (SALESFORCE, HUBSPOT, MARKETO, PARDOT)
}

__all__ = ["VENDORS", "Vendor"]
