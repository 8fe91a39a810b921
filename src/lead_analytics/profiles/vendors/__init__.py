"""The vendors whose own export files the loader reads (``vendor:`` in an import profile)."""

from __future__ import annotations

from lead_analytics.profiles.vendors.base import Vendor
from lead_analytics.profiles.vendors.hubspot import HUBSPOT
from lead_analytics.profiles.vendors.marketo import MARKETO
from lead_analytics.profiles.vendors.pardot import PARDOT
from lead_analytics.profiles.vendors.salesforce import SALESFORCE

VENDORS: dict[str, Vendor] = {
    vendor.name: vendor for vendor in (SALESFORCE, HUBSPOT, MARKETO, PARDOT)
}

__all__ = ["VENDORS", "Vendor"]
