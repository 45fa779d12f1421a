"""Adapters at the edge: one library each, behind the domain's ports."""
