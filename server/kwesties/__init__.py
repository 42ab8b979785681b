"""Kwesties: groups of signals about one underlying problem, and their course."""
