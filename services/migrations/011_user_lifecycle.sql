-- A user the union has deactivated cannot log in; every session ends at once.
ALTER TABLE users ADD COLUMN deactivated_at TIMESTAMP;
