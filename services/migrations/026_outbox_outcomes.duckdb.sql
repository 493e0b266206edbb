-- Two more ends of a mail (issue 21), beside queued, sent and expired:
-- 'unknown': the provider did not answer in time, so it may have sent the mail. A code mail is then
--            never sent again (the user asks for a new code, which voids the old one).
-- 'dropped': a code or a login alert to an address no user has. Every address's request queues
--            the same mail, so the request cannot tell who has an account; the courier drops it.
-- DuckDB cannot alter a CHECK constraint, so the table is rebuilt (as in 008).
CREATE TABLE outbox_new (
    id              BIGINT PRIMARY KEY DEFAULT nextval('seq_outbox'),
    kind            VARCHAR NOT NULL,
    to_addr         VARCHAR NOT NULL,
    subject         VARCHAR NOT NULL,
    body            VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    status          VARCHAR NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'sent', 'expired', 'unknown', 'dropped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      VARCHAR,
    sent_at         TIMESTAMP,
    claimed_until   TIMESTAMP,
    claimed_by      VARCHAR,
    deliver_by      TIMESTAMP,
    body_purged_at  TIMESTAMP
);
INSERT INTO outbox_new SELECT * FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
