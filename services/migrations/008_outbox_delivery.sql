-- A mail that is worthless after a time (a one-time code) has a deliver_by and is
-- dropped ('expired') once it has passed, never sent late. A body that carried a
-- code or personal data is emptied once sent (body_purged_at). DuckDB cannot alter a
-- CHECK constraint, so the table is rebuilt with the new status.
CREATE TABLE outbox_new (
    id              BIGINT PRIMARY KEY DEFAULT nextval('seq_outbox'),
    kind            VARCHAR NOT NULL,
    to_addr         VARCHAR NOT NULL,
    subject         VARCHAR NOT NULL,
    body            VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    status          VARCHAR NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'expired')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      VARCHAR,
    sent_at         TIMESTAMP,
    claimed_until   TIMESTAMP,
    claimed_by      VARCHAR,
    deliver_by      TIMESTAMP,
    body_purged_at  TIMESTAMP
);
INSERT INTO outbox_new (id, kind, to_addr, subject, body, created_at, status, attempts, last_error, sent_at,
                        claimed_until, claimed_by)
SELECT id, kind, to_addr, subject, body, created_at, status, attempts, last_error, sent_at, claimed_until, claimed_by
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
-- Codes and receipts already sent keep no body.
UPDATE outbox SET body = '', body_purged_at = sent_at
WHERE status = 'sent' AND (kind LIKE 'code.%' OR kind = 'receipt');
