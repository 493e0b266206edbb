-- Every answer an employer gives for an utrukket member. An answer can be changed until the
-- union has handled the item; what was said before is kept here, with who said it and when.
CREATE SEQUENCE seq_utrukket_answers START 1;
CREATE TABLE utrukket_answers (
    id           INTEGER PRIMARY KEY DEFAULT nextval('seq_utrukket_answers'),
    item_id      INTEGER NOT NULL,
    company_id   INTEGER NOT NULL,
    status       VARCHAR NOT NULL,
    comment      VARCHAR,
    answered_by  INTEGER,
    answered_at  TIMESTAMP NOT NULL
);
CREATE INDEX utrukket_answers_item ON utrukket_answers (item_id);
INSERT INTO utrukket_answers (item_id, company_id, status, comment, answered_by, answered_at)
SELECT id, company_id, status, comment, answered_by, answered_at
FROM reconciliation_items
WHERE kind = 'utrukket' AND status IS NOT NULL AND answered_at IS NOT NULL;
