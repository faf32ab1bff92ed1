"""Pages of the employers app, one module per part."""
