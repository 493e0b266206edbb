-- A member matched by birth date and name because the list's fødselsnummer fails its check digits:
-- an item «fødselsnummer må rettes» for the employer and staff.
-- DuckDB cannot alter a CHECK constraint: the table is rebuilt with the new kind.
CREATE TABLE reconciliation_items_new (
    id           INTEGER PRIMARY KEY DEFAULT nextval('seq_reconciliation'),
    company_id   INTEGER NOT NULL,
    period       DATE NOT NULL,
    kind         VARCHAR NOT NULL CHECK (kind IN ('utrukket', 'unknown', 'anomaly', 'unidentified', 'fnr_to_fix')),
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
INSERT INTO reconciliation_items_new SELECT id, company_id, period, kind, item_key, member_id, national_id, birth_date,
    name, amount, expected, created_at, closed_at, status, comment, answered_by, answered_at, handled_by, handled_at
FROM reconciliation_items;
DROP TABLE reconciliation_items;
ALTER TABLE reconciliation_items_new RENAME TO reconciliation_items;
CREATE INDEX reconciliation_company_period ON reconciliation_items (company_id, period);
CREATE UNIQUE INDEX reconciliation_items_one_per_person ON reconciliation_items (company_id, period, kind, item_key);
