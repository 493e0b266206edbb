-- A list sent for a period that already has one: the sender says whether it corrects the earlier
-- list or supplements it, and staff see which.
ALTER TABLE submissions ADD COLUMN resend_kind VARCHAR;
