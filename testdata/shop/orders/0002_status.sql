-- +up
ALTER TABLE orders ADD COLUMN status LowCardinality(String) DEFAULT 'new';
-- A mutation: migrate waits for it in system.mutations.
ALTER TABLE orders UPDATE status = 'paid' WHERE amount > 0;

-- +down
ALTER TABLE orders DROP COLUMN status;
