"""Services of the employers app: every change to employers, PAs and their records."""
