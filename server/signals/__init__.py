"""Signals: one observation each, with its area derived from its location."""
