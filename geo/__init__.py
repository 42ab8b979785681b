"""Geodata and spatial logic: areas, point assignment and the bundled defaults."""
