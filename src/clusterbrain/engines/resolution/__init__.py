"""Name, address and identifier normalisation; record linkage (no Django)."""
