"""Reports for management and council."""
