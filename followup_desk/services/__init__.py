"""Use cases over the domain, written against the domain's ports only."""
