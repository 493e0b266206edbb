-- The month a row counts for, when not its list's own: a row whose period column names another
-- month, or a negative row, which refunds the month before. NULL: the list's own period.
ALTER TABLE submission_rows ADD COLUMN period DATE;
UPDATE submission_rows SET period = CAST(s.period - INTERVAL '1 month' AS DATE)
FROM submissions s WHERE s.id = submission_rows.submission_id AND submission_rows.amount < 0;
