-- Turns for the checks that compare a new record with the others of its
-- invoice or customer (the open disputes of an invoice dispute at most
-- its open amount; an invoice is covered by one active payment plan).
-- Such a check reads the other records and then writes: two transactions
-- doing it at once must take turns, and the second must see the first's
-- record.  The check first writes this table's row for its invoice or
-- customer (INSERT ... ON CONFLICT DO UPDATE), which makes the second
-- wait for the first to end.  Under READ COMMITTED the second then reads
-- with a new snapshot and sees the first's record; under REPEATABLE READ
-- or SERIALIZABLE its snapshot cannot, and PostgreSQL refuses the write
-- of a row changed since the snapshot was taken (SQLSTATE 40001,
-- serialization failure: a retry sees the first's record).  An advisory
-- lock gives the turns but not that refusal.
--
-- The rows hold no information (a row is written again at every check);
-- they are dumped and restored like the records, whose restore path
-- (rows created in an earlier transaction, loaded by the tables' owner)
-- takes no turn, so that a restore loads exactly the rows dumped.

CREATE TABLE arcollect.record_lock (
    record_kind text COLLATE "C" NOT NULL,
    -- the invoice ('<attachment_id> <invoice_key>') or the customer
    subject     text COLLATE "C" NOT NULL,
    locked_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (record_kind, subject)
) USING heap;

COMMENT ON TABLE arcollect.record_lock IS
'Internal: one row per invoice or customer whose records were checked against each other; a check writes its row first, so that two checks at once take turns and a transaction whose snapshot misses the other''s record fails with SQLSTATE 40001 (retry it). Its rows mean nothing.';
COMMENT ON COLUMN arcollect.record_lock.record_kind IS 'The kind of record checked: dispute (per invoice) or payment_plan (per customer).';
COMMENT ON COLUMN arcollect.record_lock.subject IS 'The invoice (attachment_id and invoice key, separated by a space) or the customer.';
COMMENT ON COLUMN arcollect.record_lock.locked_at IS 'When a check last wrote the row.';

SELECT pg_catalog.pg_extension_config_dump('arcollect.record_lock', '');
