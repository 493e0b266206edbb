-- The day of the month after the period by which a company's list is due (most unions: the 15th).
INSERT INTO portal_settings VALUES ('list_deadline_day', '15');

-- Reminders to a company that has not sent its list for a period. Staff may send any number;
-- the sidecar's automatic one (auto_key 'auto') goes once per company and period, which the
-- unique index holds however many sidecars run (NULLs, the staff's, never collide).
CREATE SEQUENCE seq_reminders START 1;
CREATE TABLE reminders (
    id          INTEGER PRIMARY KEY DEFAULT nextval('seq_reminders'),
    company_id  INTEGER NOT NULL,
    period      DATE NOT NULL,
    auto_key    VARCHAR,
    sent_at     TIMESTAMP NOT NULL,
    sent_by     INTEGER,
    mails       INTEGER NOT NULL
);
CREATE UNIQUE INDEX reminders_once_automatic ON reminders (company_id, period, auto_key);
