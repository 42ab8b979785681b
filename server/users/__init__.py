"""Accounts: users, roles and the areas they cover."""
