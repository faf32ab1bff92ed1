"""Services of the employers app: every change to its records goes through one of these."""
