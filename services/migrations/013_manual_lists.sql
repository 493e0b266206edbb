-- A list sent without readable rows (a scanned PDF) waits for staff: until they key in its rows
-- or mark it handled, the period has no utrukne for the company and nobody is mailed.
ALTER TABLE submissions ADD COLUMN manual_done_at TIMESTAMP;
ALTER TABLE submissions ADD COLUMN manual_done_by INTEGER;
