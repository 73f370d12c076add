-- Statuses, kinds and currencies are compared after one folding rule:
-- ASCII letters to lower case (upper case for currency codes), every
-- other character as it is.  The configured statuses are stored folded by
-- the same rule, and both booking paths (the fast path for new invoices,
-- the SQL statement for the rest) and reconcile compare with it.
\set SHOW_CONTEXT never
SET client_min_messages = warning;

CREATE TABLE fr_invoice (
    id      integer PRIMARY KEY,
    cust    text NOT NULL,
    amt     numeric(12,2),
    iss     date,
    due     date,
    statut  text
);
SELECT arcollect.attach('fr_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', status => 'statut',
                        default_currency => 'eur',
                        void_statuses => '{ANNULÉ,Void}', credit_statuses => '{Crédit}');

-- Stored folded: ASCII letters only (É stays É, é stays é).
SELECT void_statuses, credit_statuses, default_currency
  FROM arcollect.attachment WHERE billing_table = 'fr_invoice'::regclass;

-- New invoices (the fast path).  Voided: 'ANNULÉ' and 'annulÉ' (they fold
-- to the stored 'annulÉ') and 'VOID'; not voided: 'Annulé' and 'annulé'
-- (é is not É).  Credit notes: 'CRéDIT' folds to 'crédit'; 'CRÉDIT' does
-- not, so its negative amount is quarantined.
INSERT INTO fr_invoice VALUES
    (1, 'c1', 100, '2025-01-01', '2025-01-31', 'ANNULÉ'),
    (2, 'c1', 100, '2025-01-01', '2025-01-31', 'annulÉ'),
    (3, 'c1', 100, '2025-01-01', '2025-01-31', 'Annulé'),
    (4, 'c1', 100, '2025-01-01', '2025-01-31', 'annulé'),
    (5, 'c1', 100, '2025-01-01', '2025-01-31', 'VOID'),
    (6, 'c1', -40, '2025-01-01', '2025-01-01', 'CRéDIT'),
    (7, 'c1', -40, '2025-01-01', '2025-01-01', 'CRÉDIT');
SELECT invoice_key, status, open_amount FROM arcollect.invoice i
  JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'fr_invoice'::regclass ORDER BY invoice_key;
SELECT invoice_key, reason FROM arcollect.quarantined_rows WHERE table_name = 'fr_invoice';
SELECT * FROM arcollect.reconcile('fr_invoice');

-- The same statuses set by UPDATE (the SQL statement): 10 and 11 open at
-- 100, then 10 gets 'ANNULÉ' (void: 0) and 11 'Annulé' (still 100).
INSERT INTO fr_invoice VALUES (10, 'c1', 100, '2025-01-01', '2025-01-31', 'ouvert'),
                              (11, 'c1', 100, '2025-01-01', '2025-01-31', 'ouvert');
UPDATE fr_invoice SET statut = CASE id WHEN 10 THEN 'ANNULÉ' ELSE 'Annulé' END WHERE id IN (10, 11);
SELECT invoice_key, status, open_amount FROM arcollect.invoice i
  JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'fr_invoice'::regclass AND invoice_key IN ('10', '11') ORDER BY invoice_key;
SELECT * FROM arcollect.reconcile('fr_invoice');

-- Currency codes: ASCII letters upper-cased ('eur' is EUR), any other
-- letter makes the code unknown.
CREATE TABLE cur_invoice (id integer PRIMARY KEY, cust text NOT NULL, amt numeric, iss date, due date, cur text);
SELECT arcollect.attach('cur_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', currency => 'cur');
INSERT INTO cur_invoice VALUES (1, 'c1', 10, '2025-01-01', '2025-01-31', ' eur '),
                               (2, 'c1', 10, '2025-01-01', '2025-01-31', 'éur');
SELECT invoice_key, currency FROM arcollect.invoice i JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'cur_invoice'::regclass ORDER BY invoice_key;
SELECT invoice_key, reason FROM arcollect.quarantined_rows WHERE table_name = 'cur_invoice';
SELECT * FROM arcollect.reconcile('cur_invoice');

-- Kinds of a payments table fold the same way: 'CREDIT-NOTE' is a credit
-- note, 'crédit' is unknown.
CREATE TABLE fr_payment (id serial PRIMARY KEY, inv integer, amt numeric, paid date, kind text);
SELECT arcollect.attach_payments('fr_payment', invoice_key => 'inv', amount => 'amt', paid_on => 'paid',
                                 kind => 'kind', invoices => 'fr_invoice');
INSERT INTO fr_payment (inv, amt, paid, kind) VALUES (11, 30, '2025-01-15', 'CREDIT-NOTE'),
                                                     (11, 20, '2025-01-16', 'crédit');
SELECT e.kind, e.amount, e.effective_on FROM arcollect.entry e
  JOIN arcollect.attachment a ON a.attachment_id = e.source_attachment_id
 WHERE a.billing_table = 'fr_payment'::regclass;
SELECT reason, row_data->>'kind' AS kind FROM arcollect.quarantined_rows WHERE table_name = 'fr_payment';
SELECT * FROM arcollect.reconcile('fr_payment');
