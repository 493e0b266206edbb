-- Foreign keys, on PostgreSQL: a row that names a company, user, member, list, file or letter
-- names one that exists. DuckDB has its side-by-side file (023_foreign_keys.duckdb.sql), which
-- says why it has none.
--
-- Deferred to COMMIT: `copy-store` writes the tables one after another, and a letter and its
-- file name each other. Each transaction is still checked as a whole before it is kept.
-- The audit log and the login attempts have none on purpose: they record what happened, also
-- to users and companies that are later gone, and name them in their own text.
-- The services remove what names a row before the row (retention, deleting a user), so
-- every reference is plain (NO ACTION): a delete that would leave one dangling is refused.

ALTER TABLE user_companies ADD CONSTRAINT user_companies_user_id_fk FOREIGN KEY (user_id) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE user_companies ADD CONSTRAINT user_companies_company_id_fk FOREIGN KEY (company_id) REFERENCES companies (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE one_time_codes ADD CONSTRAINT one_time_codes_user_id_fk FOREIGN KEY (user_id) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sessions ADD CONSTRAINT sessions_user_id_fk FOREIGN KEY (user_id) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE submissions ADD CONSTRAINT submissions_company_id_fk FOREIGN KEY (company_id) REFERENCES companies (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE submissions ADD CONSTRAINT submissions_submitted_by_fk FOREIGN KEY (submitted_by) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE submissions ADD CONSTRAINT submissions_manual_done_by_fk FOREIGN KEY (manual_done_by) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE stored_files ADD CONSTRAINT stored_files_submission_id_fk FOREIGN KEY (submission_id) REFERENCES submissions (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE stored_files ADD CONSTRAINT stored_files_letter_id_fk FOREIGN KEY (letter_id) REFERENCES letters (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE stored_file_contents ADD CONSTRAINT stored_file_contents_file_id_fk FOREIGN KEY (file_id) REFERENCES stored_files (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE submission_rows ADD CONSTRAINT submission_rows_submission_id_fk FOREIGN KEY (submission_id) REFERENCES submissions (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE submission_rows ADD CONSTRAINT submission_rows_file_id_fk FOREIGN KEY (file_id) REFERENCES stored_files (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE letters ADD CONSTRAINT letters_company_id_fk FOREIGN KEY (company_id) REFERENCES companies (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE letters ADD CONSTRAINT letters_file_id_fk FOREIGN KEY (file_id) REFERENCES stored_files (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE letters ADD CONSTRAINT letters_created_by_fk FOREIGN KEY (created_by) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE letters ADD CONSTRAINT letters_withdrawn_by_fk FOREIGN KEY (withdrawn_by) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE letter_downloads ADD CONSTRAINT letter_downloads_letter_id_fk FOREIGN KEY (letter_id) REFERENCES letters (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE letter_downloads ADD CONSTRAINT letter_downloads_user_id_fk FOREIGN KEY (user_id) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE letter_members ADD CONSTRAINT letter_members_letter_id_fk FOREIGN KEY (letter_id) REFERENCES letters (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE letter_members ADD CONSTRAINT letter_members_employment_id_fk FOREIGN KEY (employment_id) REFERENCES employments (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE employments ADD CONSTRAINT employments_member_id_fk FOREIGN KEY (member_id) REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE employments ADD CONSTRAINT employments_company_id_fk FOREIGN KEY (company_id) REFERENCES companies (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE reconciliation_items ADD CONSTRAINT reconciliation_items_company_id_fk FOREIGN KEY (company_id) REFERENCES companies (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE reconciliation_items ADD CONSTRAINT reconciliation_items_member_id_fk FOREIGN KEY (member_id) REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE reconciliation_items ADD CONSTRAINT reconciliation_items_answered_by_fk FOREIGN KEY (answered_by) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE reconciliation_items ADD CONSTRAINT reconciliation_items_handled_by_fk FOREIGN KEY (handled_by) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE utrukket_answers ADD CONSTRAINT utrukket_answers_item_id_fk FOREIGN KEY (item_id) REFERENCES reconciliation_items (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE utrukket_answers ADD CONSTRAINT utrukket_answers_company_id_fk FOREIGN KEY (company_id) REFERENCES companies (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE utrukket_answers ADD CONSTRAINT utrukket_answers_answered_by_fk FOREIGN KEY (answered_by) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE reminders ADD CONSTRAINT reminders_company_id_fk FOREIGN KEY (company_id) REFERENCES companies (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE reminders ADD CONSTRAINT reminders_sent_by_fk FOREIGN KEY (sent_by) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE column_layouts ADD CONSTRAINT column_layouts_company_id_fk FOREIGN KEY (company_id) REFERENCES companies (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE column_layouts ADD CONSTRAINT column_layouts_saved_by_fk FOREIGN KEY (saved_by) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;

-- The referencing side of a delete the services make: without an index, each deleted member,
-- employment or file would be checked by reading the whole referencing table.
CREATE INDEX reconciliation_items_member ON reconciliation_items (member_id);
CREATE INDEX letter_members_employment ON letter_members (employment_id);
CREATE INDEX submission_rows_file ON submission_rows (file_id);

-- Rows for another month than their list's (corrections) are few: each reconciliation finds
-- those of its month by this small index, never by reading every list's rows, also while the
-- planner has no statistics yet (a store just filled or copied).
CREATE INDEX submission_rows_correction_period ON submission_rows (period) WHERE period IS NOT NULL;
