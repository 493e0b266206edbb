-- Membership has its own end, apart from any employment: a member missing from a full register
-- export leaves the union (member_to), and the union then expects no dues from any employer.
ALTER TABLE members ADD COLUMN member_to DATE;
