"""Exhibitions (issue 7)."""
