-- A member's name or fødselsnummer corrected by staff (GDPR art. 16): the old value kept beside
-- the new, with the reason, who and when. The rows go with the member when the member goes.
CREATE SEQUENCE seq_member_corrections START 1;
CREATE TABLE member_corrections (
    id            INTEGER PRIMARY KEY DEFAULT nextval('seq_member_corrections'),
    member_id     INTEGER NOT NULL,
    field         VARCHAR NOT NULL CHECK (field IN ('name', 'national_id')),
    old_value     VARCHAR NOT NULL,
    new_value     VARCHAR NOT NULL,
    reason        VARCHAR NOT NULL,
    corrected_by  INTEGER,
    corrected_at  TIMESTAMP NOT NULL
);
CREATE INDEX member_corrections_member ON member_corrections (member_id);
-- Deferred to COMMIT as every key (023_foreign_keys.postgres.sql); DuckDB's file has none (see 023).
ALTER TABLE member_corrections ADD CONSTRAINT member_corrections_member_id_fk FOREIGN KEY (member_id) REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE member_corrections ADD CONSTRAINT member_corrections_corrected_by_fk FOREIGN KEY (corrected_by) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;
