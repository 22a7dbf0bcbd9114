"""Regional brand (issue 7)."""
