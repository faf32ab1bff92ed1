"""Views of the employers app."""
