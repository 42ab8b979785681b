"""Numbers for team leads: signals per area, per 1,000 inhabitants, and trends."""
