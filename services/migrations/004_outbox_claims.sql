-- A mail is claimed before it is handed to the provider, so two workers never send it twice.
ALTER TABLE outbox ADD COLUMN claimed_until TIMESTAMP;
ALTER TABLE outbox ADD COLUMN claimed_by VARCHAR;
