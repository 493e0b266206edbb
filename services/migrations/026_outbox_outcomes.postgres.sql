-- Two more ends of a mail (issue 21), beside queued, sent and expired:
-- 'unknown': the provider did not answer in time, so it may have sent the mail. A code mail is then
--            never sent again (the user asks for a new code, which voids the old one).
-- 'dropped': a code or a login alert to an address no user has. Every address's request queues
--            the same mail, so the request cannot tell who has an account; the courier drops it.
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_new_status_check;
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('queued', 'sent', 'expired', 'unknown', 'dropped'));
