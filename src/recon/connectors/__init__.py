"""connectors stage."""
