"""Accounts: users, companies, who may reach what, logging in and sessions."""
