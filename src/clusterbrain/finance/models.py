"""Bank credit (issue 7)."""
