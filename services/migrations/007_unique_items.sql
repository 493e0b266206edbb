-- One reconciliation item per company, period, kind and person, whatever arrives at once.
-- Duplicates two parallel lists once wrote are folded into the oldest, which keeps its answers.
DELETE FROM reconciliation_items
WHERE id NOT IN (SELECT min(id) FROM reconciliation_items GROUP BY company_id, period, kind, item_key);
CREATE UNIQUE INDEX reconciliation_items_one_per_person
    ON reconciliation_items (company_id, period, kind, item_key);
