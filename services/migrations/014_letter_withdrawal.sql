-- Staff can withdraw a letter: the employer no longer sees it; the record stays for the audit.
ALTER TABLE letters ADD COLUMN withdrawn_at TIMESTAMP;
ALTER TABLE letters ADD COLUMN withdrawn_by INTEGER;
