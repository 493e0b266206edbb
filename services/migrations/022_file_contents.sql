-- Stored files' bytes in the database (PORTAL_FILE_STORE=database): with the portal on more than
-- one machine, any app process can serve any download. With the local folder (the default) the
-- table stays empty.
CREATE TABLE stored_file_contents (
    file_id  INTEGER PRIMARY KEY,
    content  BYTEA NOT NULL
);
