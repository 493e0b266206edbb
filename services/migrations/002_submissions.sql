-- Deduction lists sent by employers: the submission, its original files and the rows read from them.
-- A file is recorded (stored_files, submission_id NULL) before it is written to disk and claimed by
-- its submission in the same transaction that creates the submission; a crash in between leaves an
-- unclaimed row the sweep removes together with its file, never an unknown file.

CREATE SEQUENCE seq_submissions START 1;
CREATE TABLE submissions (
    id             INTEGER PRIMARY KEY DEFAULT nextval('seq_submissions'),
    company_id     INTEGER NOT NULL,
    period         DATE NOT NULL,
    contact_email  VARCHAR NOT NULL,
    remark         VARCHAR,
    submitted_by   INTEGER,
    submitted_at   TIMESTAMP NOT NULL,
    person_count   INTEGER NOT NULL,
    total          DECIMAL(14, 2) NOT NULL
);
CREATE INDEX submissions_company ON submissions (company_id);

CREATE SEQUENCE seq_stored_files START 1;
CREATE TABLE stored_files (
    id             INTEGER PRIMARY KEY DEFAULT nextval('seq_stored_files'),
    stored_name    VARCHAR NOT NULL UNIQUE,
    sha256         VARCHAR NOT NULL,
    size_bytes     BIGINT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    submission_id  INTEGER,
    original_name  VARCHAR NOT NULL,
    kind           VARCHAR,
    row_count      INTEGER,
    total          DECIMAL(14, 2),
    note           VARCHAR
);

CREATE SEQUENCE seq_submission_rows START 1;
CREATE TABLE submission_rows (
    id             BIGINT PRIMARY KEY DEFAULT nextval('seq_submission_rows'),
    submission_id  INTEGER NOT NULL,
    file_id        INTEGER NOT NULL,
    line           INTEGER,
    national_id    VARCHAR,
    birth_date     DATE,
    name           VARCHAR,
    employee_no    VARCHAR,
    basis          DECIMAL(14, 2),
    amount         DECIMAL(14, 2)
);
CREATE INDEX submission_rows_submission ON submission_rows (submission_id);
