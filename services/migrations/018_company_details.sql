-- Staff edit a company: contact addresses beyond its users (for reminders), and the period it
-- started sending through the portal (no list is missing before it; unset: its first list).
ALTER TABLE companies ADD COLUMN contact_emails VARCHAR;
ALTER TABLE companies ADD COLUMN active_from DATE;
