-- The member register, dues rates, and the outcome of reconciling lists against it.

CREATE SEQUENCE seq_members START 1;
CREATE TABLE members (
    id           INTEGER PRIMARY KEY DEFAULT nextval('seq_members'),
    member_no    VARCHAR NOT NULL UNIQUE,
    national_id  VARCHAR NOT NULL,
    birth_date   DATE,
    name         VARCHAR NOT NULL,
    name_key     VARCHAR NOT NULL,
    rate_class   VARCHAR NOT NULL DEFAULT 'ordinær',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX members_national_id ON members (national_id);

CREATE SEQUENCE seq_employments START 1;
CREATE TABLE employments (
    id          INTEGER PRIMARY KEY DEFAULT nextval('seq_employments'),
    member_id   INTEGER NOT NULL,
    company_id  INTEGER NOT NULL,
    valid_from  DATE NOT NULL,
    valid_to    DATE,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX employments_company ON employments (company_id);
CREATE INDEX employments_member ON employments (member_id);

-- Rates change on 1 January or 1 July; a rate applies from valid_from until the next one.
CREATE TABLE dues_rates (
    rate_class   VARCHAR NOT NULL,
    valid_from   DATE NOT NULL,
    percent      DECIMAL(6, 3) NOT NULL,
    monthly_cap  DECIMAL(10, 2),
    PRIMARY KEY (rate_class, valid_from)
);
INSERT INTO dues_rates VALUES ('ordinær', DATE '2020-01-01', 1.300, 575.00);
INSERT INTO dues_rates VALUES ('kombinert', DATE '2020-01-01', 1.470, 634.00);

CREATE TABLE portal_settings (
    key    VARCHAR PRIMARY KEY,
    value  VARCHAR NOT NULL
);
INSERT INTO portal_settings VALUES ('anomaly_tolerance_kr', '5.00');

ALTER TABLE submission_rows ADD COLUMN name_key VARCHAR;

CREATE SEQUENCE seq_reconciliation START 1;
CREATE TABLE reconciliation_items (
    id           INTEGER PRIMARY KEY DEFAULT nextval('seq_reconciliation'),
    company_id   INTEGER NOT NULL,
    period       DATE NOT NULL,
    kind         VARCHAR NOT NULL CHECK (kind IN ('utrukket', 'unknown', 'anomaly')),
    item_key     VARCHAR NOT NULL,
    member_id    INTEGER,
    national_id  VARCHAR,
    birth_date   DATE,
    name         VARCHAR,
    amount       DECIMAL(14, 2),
    expected     DECIMAL(14, 2),
    created_at   TIMESTAMP NOT NULL,
    closed_at    TIMESTAMP,
    status       VARCHAR CHECK (status IN ('ansatt', 'permittert', 'sluttet', 'annet')),
    comment      VARCHAR,
    answered_by  INTEGER,
    answered_at  TIMESTAMP,
    handled_by   INTEGER,
    handled_at   TIMESTAMP
);
CREATE INDEX reconciliation_company_period ON reconciliation_items (company_id, period);

CREATE TABLE letter_members (
    letter_id      INTEGER NOT NULL,
    employment_id  INTEGER NOT NULL,
    kind           VARCHAR NOT NULL
);
