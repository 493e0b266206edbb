-- Columns a clerk picked for a list the parser could not read on its own (or read wrongly),
-- remembered per company and header row: the next file with the same header row is read the
-- same way without asking. One per company and header, held by the unique index however many
-- clerks save at once.
CREATE SEQUENCE seq_column_layouts START 1;
CREATE TABLE column_layouts (
    id          INTEGER PRIMARY KEY DEFAULT nextval('seq_column_layouts'),
    company_id  INTEGER NOT NULL,
    header_key  VARCHAR NOT NULL,
    sheet       INTEGER NOT NULL,
    header_row  INTEGER NOT NULL,
    columns     VARCHAR NOT NULL,
    saved_by    INTEGER,
    saved_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX column_layouts_one_per_header ON column_layouts (company_id, header_key);
