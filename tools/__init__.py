"""Maintenance scripts for the course repository (not part of the ``optimlite`` package)."""
