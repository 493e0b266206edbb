-- A second factor (TOTP, issue 21): mandatory for staff, optional for employers unless the union
-- requires it for everyone (`second_factor_for_all`). The secret is sealed with the server secret
-- (PORTAL_SECRET_KEY), never in the store in clear; `last_step` is the newest time step used, so a
-- code cannot be replayed. Recovery codes are kept as keyed hashes, each used once.
-- With keys to `users`, as every reference on PostgreSQL (023).
CREATE TABLE second_factors (
    user_id        INTEGER PRIMARY KEY,
    sealed_secret  VARCHAR NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    confirmed_at   TIMESTAMP,
    last_step      BIGINT NOT NULL DEFAULT 0
);
CREATE SEQUENCE seq_recovery_codes START 1;
CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY DEFAULT nextval('seq_recovery_codes'),
    user_id    INTEGER NOT NULL,
    code_hash  VARCHAR NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);
INSERT INTO portal_settings VALUES ('second_factor_for_all', '0');
ALTER TABLE second_factors ADD CONSTRAINT second_factors_user_id_fk FOREIGN KEY (user_id) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE recovery_codes ADD CONSTRAINT recovery_codes_user_id_fk FOREIGN KEY (user_id) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;
