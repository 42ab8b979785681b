"""Photos: content-addressed files outside the database."""
