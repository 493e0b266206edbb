-- Foundation: companies, users and their access, one-time codes, logins,
-- sessions, the audit log and the mail outbox.
-- No FOREIGN KEY constraints: DuckDB refuses updates to a referenced row, and
-- users and companies are updated in place; the services keep the references.

CREATE SEQUENCE seq_companies START 1;
CREATE TABLE companies (
    id          INTEGER PRIMARY KEY DEFAULT nextval('seq_companies'),
    orgnr       VARCHAR NOT NULL UNIQUE,
    name        VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE SEQUENCE seq_users START 1;
CREATE TABLE users (
    id                       INTEGER PRIMARY KEY DEFAULT nextval('seq_users'),
    email                    VARCHAR NOT NULL UNIQUE,
    name                     VARCHAR NOT NULL,
    role                     VARCHAR NOT NULL CHECK (role IN ('employer', 'staff')),
    password_hash            VARCHAR,
    activated_at             TIMESTAMP,
    otp_secret               VARCHAR NOT NULL,
    otp_counter              BIGINT NOT NULL DEFAULT 0,
    failed_logins            INTEGER NOT NULL DEFAULT 0,
    locked_until             TIMESTAMP,
    declaration_version      VARCHAR,
    declaration_accepted_at  TIMESTAMP,
    created_at               TIMESTAMP NOT NULL
);

CREATE TABLE user_companies (
    user_id     INTEGER NOT NULL,
    company_id  INTEGER NOT NULL,
    granted_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, company_id)
);

CREATE SEQUENCE seq_one_time_codes START 1;
CREATE TABLE one_time_codes (
    id               INTEGER PRIMARY KEY DEFAULT nextval('seq_one_time_codes'),
    user_id          INTEGER NOT NULL,
    code_hash        VARCHAR NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    expires_at       TIMESTAMP NOT NULL,
    failed_attempts  INTEGER NOT NULL DEFAULT 0,
    used_at          TIMESTAMP,
    voided_at        TIMESTAMP
);
CREATE INDEX one_time_codes_user ON one_time_codes (user_id);

CREATE SEQUENCE seq_login_attempts START 1;
CREATE TABLE login_attempts (
    id         INTEGER PRIMARY KEY DEFAULT nextval('seq_login_attempts'),
    email      VARCHAR NOT NULL,
    user_id    INTEGER,
    succeeded  BOOLEAN NOT NULL,
    attempted_at TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    id             VARCHAR PRIMARY KEY,
    user_id        INTEGER NOT NULL,
    cookie_expiry  DOUBLE PRECISION NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    expires_at     TIMESTAMP NOT NULL,
    revoked_at     TIMESTAMP
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE SEQUENCE seq_audit_log START 1;
CREATE TABLE audit_log (
    id             BIGINT PRIMARY KEY DEFAULT nextval('seq_audit_log'),
    occurred_at    TIMESTAMP NOT NULL,
    actor_user_id  INTEGER,
    actor_label    VARCHAR NOT NULL,
    action         VARCHAR NOT NULL,
    company_id     INTEGER,
    target         VARCHAR,
    detail         VARCHAR
);

CREATE SEQUENCE seq_outbox START 1;
CREATE TABLE outbox (
    id          BIGINT PRIMARY KEY DEFAULT nextval('seq_outbox'),
    kind        VARCHAR NOT NULL,
    to_addr     VARCHAR NOT NULL,
    subject     VARCHAR NOT NULL,
    body        VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    status      VARCHAR NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  VARCHAR,
    sent_at     TIMESTAMP
);
