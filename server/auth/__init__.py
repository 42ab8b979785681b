"""Authentication: passwords, tokens, log-in throttling and role guards."""
