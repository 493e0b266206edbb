"""What the union's operators need around a running portal (issue 22): encrypted backups and their
restore, health checks, logs a collector can read."""
