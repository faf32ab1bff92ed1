"""Services of the employers app: every state change of employers, timesheets and pay."""
