-- Caps on one-time codes, so guessing is bounded per account and per day, and floods per hour.
INSERT INTO portal_settings VALUES ('code_requests_per_day', '10');
INSERT INTO portal_settings VALUES ('wrong_codes_per_day', '10');
INSERT INTO portal_settings VALUES ('code_requests_per_hour', '500');
