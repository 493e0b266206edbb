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
