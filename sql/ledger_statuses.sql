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
SELECT invoice_key, status, coalesce(oa.open_amount, 0) AS open_amount FROM arcollect.invoice i
  LEFT JOIN arcollect._open_amount oa USING (attachment_id, invoice_key) JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'fr_invoice'::regclass ORDER BY invoice_key;
SELECT invoice_key, reason FROM arcollect.quarantined_rows WHERE table_name = 'fr_invoice';
SELECT * FROM arcollect.reconcile('fr_invoice');

-- The same statuses set by UPDATE (the SQL statement): 10 and 11 open at
-- 100, then 10 gets 'ANNULÉ' (void: 0) and 11 'Annulé' (still 100).
INSERT INTO fr_invoice VALUES (10, 'c1', 100, '2025-01-01', '2025-01-31', 'ouvert'),
                              (11, 'c1', 100, '2025-01-01', '2025-01-31', 'ouvert');
UPDATE fr_invoice SET statut = CASE id WHEN 10 THEN 'ANNULÉ' ELSE 'Annulé' END WHERE id IN (10, 11);
SELECT invoice_key, status, coalesce(oa.open_amount, 0) AS open_amount FROM arcollect.invoice i
  LEFT JOIN arcollect._open_amount oa USING (attachment_id, invoice_key) JOIN arcollect.attachment a USING (attachment_id)
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

-- A billing table whose text columns have a nondeterministic collation
-- (here one that ignores case and accents) folds and compares the same:
-- byte by byte after the ASCII folding, never by the column's collation,
-- on both paths and in reconcile.  'voïd' is not 'void', though the
-- collation says they are equal; 'VOID' is.  Rows 1 and 2 are new
-- invoices (the fast path); 3 and 4 come back after a delete, so the SQL
-- statement books them; 5 gets its status by UPDATE.  Void: 2, 4 and 5.
-- Owners are kept as written ('Ann', 'ann', 'ANN'), and 6 is quarantined:
-- 'éur' is no currency code, though the collation finds it equal to 'EUR'.
CREATE COLLATION loose (provider = icu, locale = 'und-u-ks-level1', deterministic = false);
CREATE TABLE loose_invoice (id text COLLATE loose PRIMARY KEY, cust text COLLATE loose NOT NULL,
                            amt numeric, iss date, due date, cur text COLLATE loose,
                            state text COLLATE loose, rep text COLLATE loose);
SELECT arcollect.attach('loose_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', currency => 'cur',
                        status => 'state', owner => 'rep');
INSERT INTO loose_invoice VALUES
    ('1', 'c1', 100, '2025-01-01', '2025-01-31', 'eur', 'voïd', 'Ann'),
    ('2', 'c1', 100, '2025-01-01', '2025-01-31', 'EUR', 'VOID', 'ann'),
    ('3', 'c1', 100, '2025-01-01', '2025-01-31', 'EUR', 'open', 'Ann'),
    ('4', 'c1', 100, '2025-01-01', '2025-01-31', 'EUR', 'open', 'Ann'),
    ('5', 'c1', 100, '2025-01-01', '2025-01-31', 'EUR', 'open', 'Ann'),
    ('6', 'c1', 100, '2025-01-01', '2025-01-31', 'éur', 'open', 'Ann');
DELETE FROM loose_invoice WHERE id IN ('3', '4');
INSERT INTO loose_invoice VALUES
    ('3', 'c1', 100, '2025-01-01', '2025-01-31', 'eur', 'voïd', 'Ann'),
    ('4', 'c1', 100, '2025-01-01', '2025-01-31', 'eur', 'VOID', 'ann');
UPDATE loose_invoice SET state = 'Void', rep = 'ANN' WHERE id = '5';
SELECT invoice_key, currency, status, owner, void_amount FROM arcollect.invoice i
  JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'loose_invoice'::regclass AND i.in_billing ORDER BY invoice_key;
SELECT invoice_key, reason FROM arcollect.quarantined_rows WHERE table_name = 'loose_invoice';
SELECT * FROM arcollect.reconcile('loose_invoice');
