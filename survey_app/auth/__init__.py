"""Staff accounts: passwords, roles, login."""
