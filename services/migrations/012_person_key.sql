-- Who each list row is about, decided once when the row is written (services/lists/identity.py),
-- a reconciliation item for rows with no usable identity (shown to staff, never dropped), and one
-- for a member matched by birth date and name because the list's fødselsnummer fails its check
-- digits («fødselsnummer må rettes»).
ALTER TABLE submission_rows ADD COLUMN person_key VARCHAR;
UPDATE submission_rows SET person_key = CASE
    WHEN national_id IS NOT NULL THEN national_id
    WHEN birth_date IS NOT NULL THEN CAST(birth_date AS VARCHAR) || '|' || coalesce(name_key, '')
    ELSE 'u|' || coalesce(name_key, '')
END;
CREATE INDEX submission_rows_person ON submission_rows (person_key);

-- DuckDB cannot alter a CHECK constraint: the table is rebuilt with the new kinds.
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
