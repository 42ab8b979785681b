"""The managed category list."""
