-- How long the personal data of a list (its rows and original files) is kept, and how long
-- a member who left stays in the register. Settings, changed by staff, not constants.
INSERT INTO portal_settings VALUES ('list_retention_months', '36');
INSERT INTO portal_settings VALUES ('member_retention_months', '36');
ALTER TABLE submissions ADD COLUMN purged_at TIMESTAMP;
