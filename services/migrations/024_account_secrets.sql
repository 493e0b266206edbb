-- Accounts fit for special-category data (issue 21). Nothing in the store lets its reader log in:
-- - one-time codes are random, kept only as a hash keyed with a server secret (PORTAL_SECRET_KEY),
--   so the per-user HOTP secret and counter go; codes are kept per address, for every address alike,
--   so a request does the same writes whether or not the address is registered;
-- - a session is kept under the SHA-256 of its id, so a copy of `sessions` names no session; the
--   sessions kept under their id until now are ended (each user logs in once more);
-- - failed logins are counted per address, per source and per address from a source, for every
--   address alike (`login_throttle`), not on the user: the lockout says nothing about who exists,
--   and one source cannot lock the owner out.
ALTER TABLE users DROP COLUMN otp_secret;
ALTER TABLE users DROP COLUMN otp_counter;
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;

DELETE FROM sessions;
ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMP;
ALTER TABLE sessions ADD COLUMN source VARCHAR;
-- When the server set the session's login cookie (once, from a handoff the login page made).
ALTER TABLE sessions ADD COLUMN handed_over_at TIMESTAMP;

DROP TABLE one_time_codes;
DROP SEQUENCE seq_one_time_codes;
CREATE SEQUENCE seq_access_codes START 1;
CREATE TABLE access_codes (
    id               INTEGER PRIMARY KEY DEFAULT nextval('seq_access_codes'),
    email            VARCHAR NOT NULL,
    purpose          VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    code_hash        VARCHAR NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    expires_at       TIMESTAMP NOT NULL,
    failed_attempts  INTEGER NOT NULL DEFAULT 0,
    used_at          TIMESTAMP,
    voided_at        TIMESTAMP
);
CREATE INDEX access_codes_email ON access_codes (email);
CREATE INDEX access_codes_created ON access_codes (created_at);

-- scope: 'pair' (an address from one source), 'address' (from every source), 'source' (every address).
CREATE TABLE login_throttle (
    scope         VARCHAR NOT NULL,
    subject       VARCHAR NOT NULL,
    window_start  TIMESTAMP NOT NULL,
    failures      INTEGER NOT NULL DEFAULT 0,
    locked_until  TIMESTAMP,
    alerted_at    TIMESTAMP,
    PRIMARY KEY (scope, subject)
);

INSERT INTO portal_settings VALUES ('login_failures_per_source_hour', '50');
INSERT INTO portal_settings VALUES ('code_requests_per_source_hour', '20');
INSERT INTO portal_settings VALUES ('session_idle_minutes', '30');
-- How long the audit log is kept; deleted only by the owner role (`services.cli purge-audit`).
INSERT INTO portal_settings VALUES ('audit_retention_months', '60');
