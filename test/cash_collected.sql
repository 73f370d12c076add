-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Cash collected, the one definition (arcollect.cash_collected) that
-- kpi_monthly's cash_collected and collected_on_due and the cash
-- forecast's measured share read: payments booked on billed invoices, a
-- refund negative; credit notes and write-offs are not cash.
--
-- EUR invoice CC-1, 1,000.00 due 2025-01-31, and CC-2, 500.00 due
-- 2025-02-28; rows of the payments table (kind, amount, date):
--   CC-1  payment 400.00 2025-01-20, credit note 100.00 2025-02-05,
--         write-off 50.00 2025-02-10, payment 300.00 2025-02-15,
--         refund (payment -30.00) 2025-02-20
--   CC-2  payment 200.00 2025-03-05
--   CC-9  payment 80.00 2025-02-12, a key not billed: not cash of the
--         ledger until its invoice arrives
-- By hand: January's cash 400.00; February's 300.00 - 30.00 = 270.00;
-- through February 670.00; March's 200.00.  Collected on what fell due
-- in January (CC-1) by its end: 400.00; by the end of February on what
-- fell due in February (CC-2): 0.
BEGIN;
SELECT tap.plan(5);
SET LOCAL client_min_messages = warning;

CREATE TABLE billing.cc_bill (id text PRIMARY KEY, cust text NOT NULL, amount numeric(12,2), issued date, due date);
CREATE TABLE billing.cc_pay (id serial PRIMARY KEY, invoice text NOT NULL, amount numeric(12,2), paid_on date,
                             kind text);
SELECT arcollect.attach('billing.cc_bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', default_currency => 'EUR') IS NOT NULL AS attached \gset
SELECT arcollect.attach_payments('billing.cc_pay', invoice_key => 'invoice', amount => 'amount', paid_on => 'paid_on',
                                 kind => 'kind', invoices => 'billing.cc_bill') IS NOT NULL AS attached \gset
INSERT INTO billing.cc_bill VALUES ('CC-1', 'cc1', 1000.00, '2025-01-01', '2025-01-31'),
                                   ('CC-2', 'cc1', 500.00, '2025-02-01', '2025-02-28');
INSERT INTO billing.cc_pay (invoice, amount, paid_on, kind) VALUES
    ('CC-1', 400.00, '2025-01-20', 'payment'), ('CC-1', 100.00, '2025-02-05', 'credit note'),
    ('CC-1', 50.00, '2025-02-10', 'write-off'), ('CC-1', 300.00, '2025-02-15', 'payment'),
    ('CC-1', -30.00, '2025-02-20', 'payment'), ('CC-2', 200.00, '2025-03-05', 'payment'),
    ('CC-9', 80.00, '2025-02-12', 'payment');

SELECT tap.set_eq($$SELECT invoice_key, received_on, amount FROM arcollect.cash_collected(NULL, '2025-03-31')
                     WHERE customer_id = 'cc1' OR invoice_key LIKE 'CC-%'$$,
                  $$VALUES ('CC-1', date '2025-01-20', 400.00), ('CC-1', '2025-02-15', 300.00),
                           ('CC-1', '2025-02-20', -30.00), ('CC-2', '2025-03-05', 200.00)$$,
                  'cash collected: the payments on billed invoices, a refund negative, no credit note or write-off');
SELECT tap.results_eq($$SELECT m, (SELECT sum(amount) FROM arcollect.cash_collected(m, (m + interval '1 month - 1 day')::date)
                                   WHERE invoice_key LIKE 'CC-%')
                          FROM unnest('{2025-01-01,2025-02-01,2025-03-01}'::date[]) m ORDER BY m$$,
                      $$VALUES (date '2025-01-01', 400.00), ('2025-02-01', 270.00), ('2025-03-01', 200.00)$$,
                      'from_date through through: January 400.00, February 270.00, March 200.00');
SELECT tap.is((SELECT sum(amount) FROM arcollect.cash_collected(NULL, '2025-02-28') WHERE invoice_key LIKE 'CC-%'),
              670.00, 'from the first (NULL) through February: 670.00');
-- kpi_monthly reads it (the ledger holds other currencies and customers
-- of other files: a segment of this file's own customer)
UPDATE arcollect.customer SET segment = 'cc segment' WHERE customer_id = 'cc1';
SELECT tap.results_eq($$SELECT month, cash_collected, written_off, collected_on_due FROM arcollect.segment_kpis
                         WHERE segment = 'cc segment' AND currency = 'EUR'
                           AND month BETWEEN '2025-01-01' AND '2025-03-01' ORDER BY month$$,
                      $$VALUES (date '2025-01-01', 400.00, 0::numeric, 400.00), ('2025-02-01', 270.00, 50.00, 0),
                               ('2025-03-01', 200.00, 0, 0)$$,
                      'segment_kpis: cash collected and collected on what fell due per month, write-offs apart');
-- CC-9 billed: its payment is cash of the ledger from then on, on its date
INSERT INTO billing.cc_bill VALUES ('CC-9', 'cc1', 80.00, '2025-02-01', '2025-02-28');
SELECT tap.is((SELECT sum(amount) FROM arcollect.cash_collected('2025-02-01', '2025-02-28') WHERE invoice_key LIKE 'CC-%'),
              350.00, 'once its invoice is billed, the payment of CC-9 counts on its date: February 350.00');

SELECT * FROM tap.finish();
ROLLBACK;
