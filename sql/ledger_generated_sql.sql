-- The SQL arcollect generates for one billing table and one payments
-- table, printed whole so that every change to it shows in review.  Every
-- column is read qualified by its alias (s.column), the table by its
-- schema-qualified name; values are parameters ($1 the attachment, $2 the
-- invoices attachment, $3 the default currency, $4 and $5 the void and
-- credit statuses).
CREATE TABLE gen_invoice (
    id        bigint PRIMARY KEY,
    customer  text NOT NULL,
    total     numeric(12,2),
    issued    date,
    due       timestamptz,
    currency  char(3),
    paid      numeric(12,2),
    rep       text,
    state     text
);
CREATE TABLE gen_payment (
    id        serial PRIMARY KEY,
    invoice   bigint,
    amount    numeric(12,2),
    paid_on   date,
    kind      text
);
SELECT arcollect.attach('gen_invoice', key => 'id', customer => 'customer', amount => 'total',
                        due_on => 'due', issued_on => 'issued', currency => 'currency',
                        paid => 'paid', owner => 'rep', status => 'state');
SELECT arcollect.attach_payments('gen_payment', invoice_key => 'invoice', amount => 'amount',
                                 paid_on => 'paid_on', kind => 'kind', invoices => 'gen_invoice');

\pset format unaligned
\pset tuples_only on
\echo '== billing table: INSERT (what the fast path leaves)'
SELECT arcollect._sync_sql(attachment_id, 'INSERT') FROM arcollect.attachment
 WHERE billing_table = 'gen_invoice'::regclass;
\echo '== billing table: INSERT when other triggers on the table may write (nested: from its current rows)'
SELECT arcollect._sync_sql(attachment_id, 'INSERT', nested => true) FROM arcollect.attachment
 WHERE billing_table = 'gen_invoice'::regclass;
\echo '== billing table: UPDATE'
SELECT arcollect._sync_sql(attachment_id, 'UPDATE') FROM arcollect.attachment
 WHERE billing_table = 'gen_invoice'::regclass;
\echo '== billing table: DELETE'
SELECT arcollect._sync_sql(attachment_id, 'DELETE') FROM arcollect.attachment
 WHERE billing_table = 'gen_invoice'::regclass;
\echo '== billing table: TRUNCATE and IMPORT (attach) compare the whole table'
SELECT arcollect._sync_sql(attachment_id, 'IMPORT') FROM arcollect.attachment
 WHERE billing_table = 'gen_invoice'::regclass;
SELECT arcollect._sync_sql(attachment_id, 'TRUNCATE') = arcollect._sync_sql(attachment_id, 'IMPORT')
  AS truncate_is_import
  FROM arcollect.attachment WHERE billing_table = 'gen_invoice'::regclass;
\echo '== billing table: reconcile'
SELECT (arcollect._reconcile_sql(a.billing_table)).statement FROM arcollect.attachment a
 WHERE billing_table = 'gen_invoice'::regclass;
\echo '== payments table: UPDATE'
SELECT arcollect._sync_sql(attachment_id, 'UPDATE') FROM arcollect.attachment
 WHERE billing_table = 'gen_payment'::regclass;
\echo '== payments table: the other events differ from UPDATE in the rows they read (n, o) only'
SELECT e.event, string_agg(m[1], ' | ' ORDER BY m.n) AS sources
  FROM arcollect.attachment a
 CROSS JOIN unnest('{INSERT,UPDATE,DELETE,IMPORT}'::text[]) e(event)
 CROSS JOIN LATERAL regexp_matches(arcollect._sync_sql(a.attachment_id, e.event),
                                   'FROM (\(SELECT \* FROM \S+ WHERE false\)|\S+) s\M', 'g')
                    WITH ORDINALITY m(m, n)
 WHERE a.billing_table = 'gen_payment'::regclass
 GROUP BY e.event ORDER BY e.event;
\echo '== payments table: its quarantine when other triggers on the table may write'
SELECT arcollect._payment_quarantine_sql(a, true, '') FROM arcollect.attachment a
 WHERE billing_table = 'gen_payment'::regclass;
\echo '== payments table: reconcile'
SELECT (arcollect._reconcile_sql(a.billing_table)).statement FROM arcollect.attachment a
 WHERE billing_table = 'gen_payment'::regclass;
\pset format aligned
\pset tuples_only off
