"""Template tags of the disclosure app, one module per area."""
