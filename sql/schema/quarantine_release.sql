-- A row that has no key of its own (a payment, a billing row without an
-- invoice key) is quarantined by its data, and two such rows may have the
-- same data.  When one of them leaves quarantine, the write that takes
-- it out appends a row here instead of deleting one of arcollect.quarantine:
-- two writers taking out two rows of the same data cannot tell which
-- quarantine row is whose, and would pick the same one (READ COMMITTED:
-- one stays behind) or fail (REPEATABLE READ).  Appending, they never meet.
-- What is still held is arcollect._quarantine_held (quarantine.sql).
CREATE TABLE arcollect.quarantine_release (
    attachment_id   integer NOT NULL,
    row_kind        text NOT NULL CHECK (row_kind IN ('invoice', 'payment')),
    row_data        jsonb NOT NULL,
    released_at     timestamptz NOT NULL DEFAULT pg_catalog.now()
) USING heap;
CREATE INDEX quarantine_release_attachment ON arcollect.quarantine_release (attachment_id);

COMMENT ON TABLE arcollect.quarantine_release IS
'Rows without a key of their own (payments, billing rows without an invoice key) that left quarantine: each row here takes out the oldest quarantine row of the same attachment, kind and data. Appended to, never updated; emptied when the table is attached again or detached. See view arcollect.quarantined_rows for what is still held.';
COMMENT ON COLUMN arcollect.quarantine_release.attachment_id IS 'The attached table the row was in.';
COMMENT ON COLUMN arcollect.quarantine_release.row_kind IS 'invoice (a billing-table row) or payment (a payments-table row).';
COMMENT ON COLUMN arcollect.quarantine_release.row_data IS 'The row_data of the quarantine row it takes out.';
COMMENT ON COLUMN arcollect.quarantine_release.released_at IS 'When the row left quarantine.';

SELECT pg_catalog.pg_extension_config_dump('arcollect.quarantine_release', '');
