-- Membership has its own start and end, apart from any employment: a member who joined in the
-- middle of a job is owed dues from then; one who left the union (missing from a full register
-- export, or with an end in it) owes none, from any employer.
ALTER TABLE members ADD COLUMN member_from DATE;
ALTER TABLE members ADD COLUMN member_to DATE;
