-- Late-payment charges: the interest and fixed compensation functions
-- on worked examples computed by hand, rounding money to the currency's
-- minor unit, every refused input with its SQLSTATE, and late-fee claims
-- (made once per invoice and regime, whatever the number of runs; plain
-- INSERTs held to the same rules), made by a collector with the grants
-- of doc/ledger.md.  Errors are shown as SQLSTATE and message, one line
-- each (fe_try).
SET client_min_messages = warning;
CREATE FUNCTION fe_try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END
$$;

-- Interest = open_amount × annual_rate × days / 365, days = as_of - due_on,
-- not rounded; round_money rounds it to the currency (half away from zero).
--   a  1,000.00 at 10.5 % for 30 days: 1000.00 × 0.105 × 30 = 3150;
--      3150 / 365 = 8.630136986301369863...  -> 8.63
--   b  the same for 73 days (a fifth of a year): 7665 / 365 = 21 exactly
--   c  the same for 1 day (due 2025-03-01, as of 2025-03-02):
--      105 / 365 = 0.287671232876712328...  -> 0.29
--   d  as of the due date: 0 days -> 0; as of the day before: 0
--   e  100.10 at 5 % for 365 days: 5.005 exactly -> 5.01 (half away from zero)
--   f  leap year, 365 days a year still: 10,000.00 at 8 % from 2024-02-28
--      to 2024-03-01 is 2 days (29 February counts): 1600 / 365 =
--      4.383561643835616438...  -> 4.38; over the whole of 2024 (366 days)
--      10000.00 × 0.08 × 366 / 365 = 802.19178082191780821... -> 802.19
--   g  nothing open (0, or overpaid -50.00): 0; a rate of 0: 0
SELECT x.example, x.interest, arcollect.round_money(x.interest, 'EUR') AS rounded
  FROM (VALUES
    ('a', arcollect.late_payment_interest(1000.00, '2025-03-01', '2025-03-31', 0.105)),
    ('b', arcollect.late_payment_interest(1000.00, '2025-03-01', '2025-05-13', 0.105)),
    ('c', arcollect.late_payment_interest(1000.00, '2025-03-01', '2025-03-02', 0.105)),
    ('d due date', arcollect.late_payment_interest(1000.00, '2025-03-01', '2025-03-01', 0.105)),
    ('d day before', arcollect.late_payment_interest(1000.00, '2025-03-01', '2025-02-28', 0.105)),
    ('e', arcollect.late_payment_interest(100.10, '2025-01-01', '2026-01-01', 0.05)),
    ('f 2 days', arcollect.late_payment_interest(10000.00, '2024-02-28', '2024-03-01', 0.08)),
    ('f 366 days', arcollect.late_payment_interest(10000.00, '2024-01-01', '2025-01-01', 0.08)),
    ('g nothing open', arcollect.late_payment_interest(0, '2025-03-01', '2025-03-31', 0.105)),
    ('g overpaid', arcollect.late_payment_interest(-50.00, '2025-03-01', '2025-03-31', 0.105)),
    ('g rate 0', arcollect.late_payment_interest(1000.00, '2025-03-01', '2025-03-31', 0))) x(example, interest);

-- NULL in, NULL out (STRICT); a negative rate is refused.
SELECT arcollect.late_payment_interest(NULL, '2025-03-01', '2025-03-31', 0.105) IS NULL AS null_amount,
       arcollect.late_payment_interest(1000, NULL, '2025-03-31', 0.105) IS NULL AS null_due_on,
       arcollect.late_payment_interest(1000, '2025-03-01', '2025-03-31', NULL) IS NULL AS null_rate;
SELECT fe_try($$SELECT arcollect.late_payment_interest(1000, '2025-03-01', '2025-03-31', -0.01)$$) AS negative_rate;

-- round_money: the currency's minor unit (ISO 4217), half away from zero;
-- no rounding where ISO gives no minor unit (gold); unknown codes refused.
SELECT arcollect.round_money(8.635, 'EUR') AS eur, arcollect.round_money(-8.635, 'EUR') AS eur_negative,
       arcollect.round_money(8.634999, 'GBP') AS gbp,
       arcollect.round_money(1234.5, 'JPY') AS jpy, arcollect.round_money(1.2345, 'KWD') AS kwd,
       arcollect.round_money(1.23456, 'CLF') AS clf, arcollect.round_money(1.23456789, 'XAU') AS xau;
SELECT arcollect.currency_minor_unit('EUR') AS eur, arcollect.currency_minor_unit('JPY') AS jpy,
       arcollect.currency_minor_unit('BHD') AS bhd, arcollect.currency_minor_unit('XDR') IS NULL AS xdr_none;
SELECT fe_try($$SELECT arcollect.round_money(1, 'eur')$$) AS lower_case,
       fe_try($$SELECT arcollect.round_money(1, 'ABC')$$) AS unknown;

-- Fixed compensation.  EU: EUR 40 per late payment, whatever the amount.
-- UK: GBP 40 below 1,000; 70 from 1,000 to below 10,000; 100 from 10,000.
SELECT x.regime, x.currency, x.amount, arcollect.late_payment_compensation(x.amount, x.currency, x.regime) AS compensation
  FROM (VALUES ('eu', 'EUR', 0.01), ('eu', 'EUR', 999.99), ('eu', 'EUR', 1000000.00), ('eu', 'EUR', 0.00),
               ('uk', 'GBP', 0.01), ('uk', 'GBP', 999.99), ('uk', 'GBP', 1000.00), ('uk', 'GBP', 9999.99),
               ('uk', 'GBP', 10000.00), ('uk', 'GBP', 250000.00), ('uk', 'GBP', -5.00)) x(regime, currency, amount);
SELECT fe_try($$SELECT arcollect.late_payment_compensation(500, 'GBP', 'eu')$$) AS eu_in_gbp;
SELECT fe_try($$SELECT arcollect.late_payment_compensation(500, 'EUR', 'uk')$$) AS uk_in_eur;
SELECT fe_try($$SELECT arcollect.late_payment_compensation(500, 'USD', 'us')$$) AS unknown_regime;
SELECT fe_try($$SELECT arcollect.late_payment_compensation(500, 'EUR', 'EU')$$) AS upper_case_regime;
SELECT arcollect.late_payment_compensation(500, 'EUR', NULL) IS NULL AS null_regime;

-- Claims.  An EUR table and a GBP one:
--   fe1 (EUR): FE-1 1,000.00 due 2025-03-01; FE-2 500.00 due 2025-03-20, paid;
--              FE-3 2,000.00 due 2025-04-30; FE-4 1,200.00 due 2025-03-10,
--              200.00 paid (1,000.00 open)
--   fe2 (GBP): FE-G1..G4 of 999.99, 1,000.00, 9,999.99 and 10,000.00, all
--              due 2025-01-31; and FE-G5, 300.00 of fe1's in GBP, same date
CREATE TABLE fe_bill_eu (id text PRIMARY KEY, cust text NOT NULL, amount numeric(12,2), paid numeric(12,2),
                         paid_on date, issued date, due date);
CREATE TABLE fe_bill_gb (id text PRIMARY KEY, cust text NOT NULL, amount numeric(12,2), issued date, due date);
INSERT INTO fe_bill_eu VALUES ('FE-1', 'fe1', 1000.00, 0, NULL, '2025-02-01', '2025-03-01'),
                              ('FE-2', 'fe1', 500.00, 500.00, '2025-03-15', '2025-02-20', '2025-03-20'),
                              ('FE-3', 'fe1', 2000.00, 0, NULL, '2025-03-31', '2025-04-30'),
                              ('FE-4', 'fe1', 1200.00, 200.00, '2025-03-05', '2025-02-10', '2025-03-10');
INSERT INTO fe_bill_gb VALUES ('FE-G1', 'fe2', 999.99, '2025-01-01', '2025-01-31'),
                              ('FE-G2', 'fe2', 1000.00, '2025-01-01', '2025-01-31'),
                              ('FE-G3', 'fe2', 9999.99, '2025-01-01', '2025-01-31'),
                              ('FE-G4', 'fe2', 10000.00, '2025-01-01', '2025-01-31'),
                              ('FE-G5', 'fe1', 300.00, '2025-01-01', '2025-01-31');
SELECT arcollect.attach('fe_bill_eu', key => 'id', customer => 'cust', amount => 'amount', paid => 'paid',
                        paid_on => 'paid_on', due_on => 'due', issued_on => 'issued', default_currency => 'EUR');
SELECT arcollect.attach('fe_bill_gb', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', default_currency => 'GBP');

-- claim_late_fees refuses, before reading any invoice: NULLs, an unknown
-- regime, a currency not the regime's, a negative rate, an unknown customer.
SELECT fe_try($$SELECT arcollect.claim_late_fees('fe1', 'EUR', 'eu', 0.105, NULL)$$) AS null_as_of;
SELECT fe_try($$SELECT arcollect.claim_late_fees('fe1', 'EUR', 'fr', 0.105, '2025-03-31')$$) AS unknown_regime;
SELECT fe_try($$SELECT arcollect.claim_late_fees('fe1', 'USD', 'eu', 0.105, '2025-03-31')$$) AS wrong_currency;
SELECT fe_try($$SELECT arcollect.claim_late_fees('fe1', 'EUR', 'eu', -0.105, '2025-03-31')$$) AS negative_rate;
SELECT fe_try($$SELECT arcollect.claim_late_fees('nobody', 'EUR', 'eu', 0.105, '2025-03-31')$$) AS unknown_customer;
SELECT count(*) AS claims FROM arcollect.late_fee_claim WHERE customer_id LIKE 'fe%';

-- A collector with the grants of doc/ledger.md makes the claims.
CREATE ROLE bi_reader NOLOGIN;
CREATE ROLE collector NOLOGIN;
CREATE ROLE ar_admin NOLOGIN;
-- (not echoed: the grants change as objects are added; the test shows
-- what they allow)
\set ECHO none
\i doc/ledger_roles.sql
\set ECHO all
SET ROLE collector;

-- EU, as of 2025-03-31, at 10.5 %: FE-1 (30 days: 3150 / 365 -> 8.63) and
-- FE-4 (1,000.00 open, 21 days: 1000.00 × 0.105 × 21 = 2205;
-- 2205 / 365 = 6.041095... -> 6.04), EUR 40 each.  FE-2 is paid, FE-3
-- not due yet, FE-G5 in GBP.
SELECT * FROM arcollect.claim_late_fees('fe1', 'EUR', 'eu', 0.105, '2025-03-31', touchpoint_id => 77);
-- twice: nothing new; a later run too claims only what became overdue
-- since: FE-3, 31 days late on 2025-05-31: 2000.00 × 0.105 × 31 = 6510;
-- 6510 / 365 = 17.835616... -> 17.84
SELECT * FROM arcollect.claim_late_fees('fe1', 'EUR', 'eu', 0.105, '2025-03-31', touchpoint_id => 77);
SELECT * FROM arcollect.claim_late_fees('fe1', 'EUR', 'eu', 0.105, '2025-05-31');
SELECT * FROM arcollect.claim_late_fees('fe1', 'EUR', 'eu', 0.105, '2025-06-30');

-- UK, as of 2025-03-02 (30 days after 2025-01-31), at 12.25 %:
--   FE-G1    999.99 -> GBP 40;  999.99 × 0.1225 × 30 = 3674.96325;
--            / 365 = 10.068392465753... -> 10.07
--   FE-G2  1,000.00 -> GBP 70;  3675 / 365 = 10.068493150684... -> 10.07
--   FE-G3  9,999.99 -> GBP 70;  36749.96325 / 365 = 100.684830821917... -> 100.68
--   FE-G4 10,000.00 -> GBP 100; 36750 / 365 = 100.684931506849... -> 100.68
SELECT * FROM arcollect.claim_late_fees('fe2', 'GBP', 'uk', 0.1225, '2025-03-02');
SELECT * FROM arcollect.claim_late_fees('fe2', 'GBP', 'uk', 0.1225, '2025-03-02');

SELECT billing_table, invoice_key, customer_id, currency, regime, open_amount, due_on, days_overdue,
       annual_rate, compensation, interest, total_claimed, claimed_on, touchpoint_id,
       created_by = 'collector' AS by_collector
  FROM arcollect.late_fee_claims WHERE customer_id LIKE 'fe%' ORDER BY invoice_key;

-- A collector does not change or delete claims.
SELECT fe_try($$UPDATE arcollect.late_fee_claim SET interest = 0$$) AS collector_updates;
SELECT fe_try($$DELETE FROM arcollect.late_fee_claim$$) AS collector_deletes;
RESET ROLE;
SET ROLE bi_reader;
SELECT count(*) AS bi_reads FROM arcollect.late_fee_claims WHERE customer_id LIKE 'fe%';
SELECT fe_try($$SELECT arcollect.claim_late_fees('fe1', 'EUR', 'eu', 0.105, '2025-07-31')$$) AS bi_claims;
RESET ROLE;

-- A plain INSERT is held to the same rules: customer, currency and due
-- date come from the invoice, the amounts from the basis (FE-1 under uk
-- would be in EUR: refused; a wrong amount: refused), and the table's
-- constraints hold.
SELECT attachment_id AS att_eu FROM arcollect.attachment WHERE billing_table = 'fe_bill_eu'::regclass \gset
DELETE FROM arcollect.late_fee_claim WHERE invoice_key = 'FE-1';
INSERT INTO arcollect.late_fee_claim (attachment_id, invoice_key, regime, open_amount, annual_rate, claimed_on)
VALUES (:att_eu, 'FE-1', 'eu', 1000.00, 0.105, '2025-05-13')
RETURNING invoice_key, customer_id, currency, due_on, compensation, interest;
SELECT fe_try(format($$INSERT INTO arcollect.late_fee_claim (attachment_id, invoice_key, regime, open_amount, annual_rate, claimed_on)
                       VALUES (%s, 'FE-1', 'eu', 1000.00, 0.105, '2025-05-13')$$, :att_eu)) AS claimed_twice;
DELETE FROM arcollect.late_fee_claim WHERE invoice_key = 'FE-1';
SELECT fe_try(format($$INSERT INTO arcollect.late_fee_claim (attachment_id, invoice_key, regime, open_amount, annual_rate, claimed_on)
                       VALUES (%s, 'FE-1', 'uk', 1000.00, 0.105, '2025-05-13')$$, :att_eu)) AS uk_on_eur;
SELECT fe_try(format($$INSERT INTO arcollect.late_fee_claim (attachment_id, invoice_key, regime, open_amount, annual_rate, claimed_on, interest)
                       VALUES (%s, 'FE-1', 'eu', 1000.00, 0.105, '2025-05-13', 21.5)$$, :att_eu)) AS wrong_interest;
SELECT fe_try(format($$INSERT INTO arcollect.late_fee_claim (attachment_id, invoice_key, regime, open_amount, annual_rate, claimed_on, customer_id)
                       VALUES (%s, 'FE-1', 'eu', 1000.00, 0.105, '2025-05-13', 'fe2')$$, :att_eu)) AS wrong_customer;
SELECT fe_try(format($$INSERT INTO arcollect.late_fee_claim (attachment_id, invoice_key, regime, open_amount, annual_rate, claimed_on)
                       VALUES (%s, 'FE-9', 'eu', 1000.00, 0.105, '2025-05-13')$$, :att_eu)) AS unknown_invoice;
SELECT fe_try(format($$INSERT INTO arcollect.late_fee_claim (attachment_id, invoice_key, regime, open_amount, annual_rate, claimed_on)
                       VALUES (%s, 'FE-1', 'eu', 1000.00, 0.105, '2025-03-01')$$, :att_eu)) AS not_overdue;
SELECT fe_try(format($$INSERT INTO arcollect.late_fee_claim (attachment_id, invoice_key, regime, open_amount, annual_rate, claimed_on)
                       VALUES (%s, 'FE-1', 'eu', 0, 0.105, '2025-05-13')$$, :att_eu)) AS nothing_open;
-- a row recorded before this transaction (a restore) keeps its amounts
-- (7.00, where today's rule gives 1000.00 × 0.08 × 31 / 365 -> 6.79)
INSERT INTO arcollect.late_fee_claim (attachment_id, invoice_key, customer_id, currency, regime, open_amount, due_on,
                                      annual_rate, claimed_on, compensation, interest, created_by, created_at)
VALUES (:att_eu, 'FE-1', 'fe1', 'EUR', 'eu', 1000.00, '2025-03-01', 0.08, '2025-04-01', 40, 7.00, 'old_system',
        '2025-04-01 09:00+00')
RETURNING invoice_key, compensation, interest, created_by;

-- PUBLIC has nothing on the claims.
SELECT c.relname,
       NOT EXISTS (SELECT FROM aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) g
                    WHERE g.grantee = 0) AS public_has_nothing
  FROM pg_class c
 WHERE c.relnamespace = 'arcollect'::regnamespace
   AND c.relname IN ('late_fee_claim', 'late_fee_claim_claim_id_seq', 'late_fee_claims')
 ORDER BY c.relname;

DROP OWNED BY bi_reader, collector, ar_admin;
DROP ROLE bi_reader, collector, ar_admin;
DELETE FROM arcollect.late_fee_claim WHERE customer_id LIKE 'fe%';
SELECT arcollect.detach('fe_bill_eu'), arcollect.detach('fe_bill_gb');
DROP TABLE fe_bill_eu, fe_bill_gb;
DROP FUNCTION fe_try(text);
