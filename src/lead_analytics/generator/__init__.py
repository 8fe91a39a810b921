"""Realistic sample exports: a simulated lead lifecycle (``lifecycle``, ``sim``) written as
the files of the export contract (``core``, ``format``) with the labels and quirks of real
CRM/MA exports (``vocab``) on Japanese business days (``calendar``)."""
