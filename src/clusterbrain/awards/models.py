"""Support awards (issue 7)."""
