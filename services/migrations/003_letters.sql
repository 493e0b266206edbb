-- Letters from the union to a company. The PDF lives in stored_files (claimed by letter_id);
-- after six months the file is deleted and the letter row stays for the audit.

ALTER TABLE stored_files ADD COLUMN letter_id INTEGER;

CREATE SEQUENCE seq_letters START 1;
CREATE TABLE letters (
    id          INTEGER PRIMARY KEY DEFAULT nextval('seq_letters'),
    company_id  INTEGER NOT NULL,
    subject     VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL CHECK (kind IN ('upload', 'start', 'stop')),
    file_id     INTEGER NOT NULL,
    file_name   VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    created_by  INTEGER,
    last_day    DATE NOT NULL,
    expired_at  TIMESTAMP
);
CREATE INDEX letters_company ON letters (company_id);
CREATE INDEX letters_last_day ON letters (last_day);

CREATE TABLE letter_downloads (
    letter_id      INTEGER NOT NULL,
    user_id        INTEGER,
    downloaded_at  TIMESTAMP NOT NULL
);
CREATE INDEX letter_downloads_letter ON letter_downloads (letter_id);
