"""Thin widgets, one per module, each observing the view model it is given."""
