"""Support programs (issue 7)."""
