"""Offline-first sync: push mutations, pull changes, epochs."""
