-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- What escalation leaves out as disputed is what was under dispute on
-- the date it is computed for: arcollect.escalation_invoices(as_of) and
-- escalation_stage(as_of) read the disputes open at the end of as_of
-- (arcollect.disputes_open_on: opened by then, not closed by then), not
-- those open now.
--
-- EUR invoices due 2025-01-10, with disputes opened and closed on past
-- dates (the expected amounts by hand, open amount less the part under a
-- dispute open that day):
--   dsa1  1000.00  300.00 disputed 2025-02-01, resolved 2025-03-01
--   dsa2   500.00  whole disputed 2025-02-15, still open
--   dsa3   800.00  200.00 disputed 2025-01-20, rejected 2025-02-10;
--                  100.00 disputed 2025-02-05, still open
--   dsa4   400.00  no dispute
--
--   as_of       dsa1 disputed/escalates  dsa2        dsa3           dsa4
--   2025-01-15     0 / 1000               0 / 500     0 / 800        0 / 400
--   2025-01-20     0 / 1000               0 / 500   200 / 600        0 / 400
--   2025-02-01   300 /  700               0 / 500   200 / 600        0 / 400
--   2025-02-05   300 /  700               0 / 500   300 / 500        0 / 400
--   2025-02-10   300 /  700               0 / 500   100 / 700        0 / 400
--   2025-02-15   300 /  700             500 /   0   100 / 700        0 / 400
--   2025-02-28   300 /  700             500 /   0   100 / 700        0 / 400
--   2025-03-01     0 / 1000             500 /   0   100 / 700        0 / 400
--   today          0 / 1000             500 /   0   100 / 700        0 / 400
-- (a dispute opened on a day is open at the end of it; one closed on a
-- day is not).
BEGIN;
SELECT tap.plan(5);
SET LOCAL client_min_messages = warning;

CREATE TABLE billing.dsa_bill (id text PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date);
SELECT arcollect.attach('billing.dsa_bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', default_currency => 'EUR') IS NOT NULL AS attached \gset
INSERT INTO billing.dsa_bill VALUES ('DSA-1', 'dsa1', 1000.00, '2024-12-11', '2025-01-10'),
                                    ('DSA-2', 'dsa2', 500.00, '2024-12-11', '2025-01-10'),
                                    ('DSA-3', 'dsa3', 800.00, '2024-12-11', '2025-01-10'),
                                    ('DSA-4', 'dsa4', 400.00, '2024-12-11', '2025-01-10');
SELECT arcollect.close_dispute(arcollect.open_dispute('DSA-1', 'pricing', 300.00, opened_on => '2025-02-01'),
                               'resolved', closed_on => '2025-03-01') IS NOT NULL AS d1 \gset
SELECT arcollect.open_dispute('DSA-2', 'quality', opened_on => '2025-02-15') IS NOT NULL AS d2 \gset
SELECT arcollect.close_dispute(arcollect.open_dispute('DSA-3', 'quantity', 200.00, opened_on => '2025-01-20'),
                               'rejected', closed_on => '2025-02-10') IS NOT NULL AS d3 \gset
SELECT arcollect.open_dispute('DSA-3', 'tax', 100.00, opened_on => '2025-02-05') IS NOT NULL AS d4 \gset

CREATE TEMP TABLE dsa_want (as_of date, customer_id text, disputed numeric, escalatable numeric);
INSERT INTO dsa_want
SELECT d.as_of, v.customer_id, v.disputed, v.escalatable
  FROM (VALUES (date '2025-01-15', 0, 0, 0), ('2025-01-20', 0, 0, 200), ('2025-02-01', 300, 0, 200),
               ('2025-02-05', 300, 0, 300), ('2025-02-10', 300, 0, 100), ('2025-02-15', 300, 500, 100),
               ('2025-02-28', 300, 500, 100), ('2025-03-01', 0, 500, 100), (current_date, 0, 500, 100))
       d(as_of, d1, d2, d3)
 CROSS JOIN LATERAL (VALUES ('dsa1', d.d1::numeric, 1000 - d.d1), ('dsa2', d.d2, 500 - d.d2),
                            ('dsa3', d.d3, 800 - d.d3), ('dsa4', 0, 400)) v(customer_id, disputed, escalatable);

SELECT tap.set_eq(
    'SELECT w.as_of, i.customer_id, i.disputed_amount, i.escalatable_amount
       FROM (SELECT DISTINCT as_of FROM pg_temp.dsa_want) w
      CROSS JOIN LATERAL arcollect.escalation_invoices(w.as_of) i
      WHERE i.customer_id LIKE ''dsa_''',
    'SELECT as_of, customer_id, disputed, escalatable FROM pg_temp.dsa_want',
    'escalation_invoices leaves out, at each date, the part under a dispute open at the end of that date');
SELECT tap.set_eq(
    'SELECT w.as_of, i.customer_id, i.disputed_amount, i.escalatable_amount
       FROM (SELECT DISTINCT as_of FROM pg_temp.dsa_want) w
      CROSS JOIN LATERAL (SELECT c FROM unnest(''{dsa1,dsa2,dsa3,dsa4}''::text[]) c) c
      CROSS JOIN LATERAL arcollect.escalation_invoices(w.as_of, c.c) i',
    'SELECT as_of, customer_id, disputed, escalatable FROM pg_temp.dsa_want',
    'the same for one customer at a time');
SELECT tap.set_eq(
    'SELECT w.as_of, s.customer_id, s.escalatable_overdue, s.held_by
       FROM (SELECT DISTINCT as_of FROM pg_temp.dsa_want) w
      CROSS JOIN LATERAL arcollect.escalation_stage(w.as_of) s
      WHERE s.customer_id LIKE ''dsa_''',
    'SELECT as_of, customer_id, escalatable, CASE WHEN escalatable = 0 THEN ''disputed'' END FROM pg_temp.dsa_want',
    'escalation_stage: escalatable overdue as of each date, held by a dispute only while one was open');
-- the one definition of open on a date: what disputes_open_on lists
SELECT tap.is((SELECT count(*) FROM (SELECT DISTINCT as_of FROM dsa_want) w
                CROSS JOIN LATERAL (
                    SELECT x.invoice_key, sum(x.disputed_amount) AS amount, count(*) AS n
                      FROM arcollect.disputes_open_on(w.as_of) x GROUP BY 1) o
                FULL JOIN (SELECT w2.as_of, d.* FROM (SELECT DISTINCT as_of FROM dsa_want) w2
                           CROSS JOIN LATERAL arcollect.invoice_disputed_amount(w2.as_of) d) d
                  ON d.as_of = w.as_of AND d.invoice_key = o.invoice_key
                WHERE (o.invoice_key LIKE 'DSA-%' OR d.invoice_key LIKE 'DSA-%')
                  AND (o.amount, o.n) IS DISTINCT FROM (d.disputed_amount, d.open_disputes)), 0::bigint,
              'invoice_disputed_amount(as_of) adds up disputes_open_on(as_of) per invoice');
SELECT tap.set_eq('SELECT invoice_key, disputed_amount, open_disputes FROM arcollect.invoice_disputed_amount
                    WHERE invoice_key LIKE ''DSA-%''',
                  $$VALUES ('DSA-2', 500.00, 1::bigint), ('DSA-3', 100.00, 1)$$,
                  'the view invoice_disputed_amount is today''s');

SELECT * FROM tap.finish();
ROLLBACK;
