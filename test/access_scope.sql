-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Collectors limited to their own customers: grant_access(role, access,
-- owner) and row-level security.  Customers of maria (by their invoices'
-- owner, or set by hand over another), of ben, and of nobody, each with
-- invoices, payments, disputes, promises, touchpoints and plans; then a
-- collector limited to maria sees, in every table and view, only maria's
-- customers, and records for them only; ben's sees ben's; a reader
-- limited to maria reads her figures in the BI views; a role that is a
-- member of a limited role is limited too; a collector not limited, and
-- an admin, see everyone.
BEGIN;
SELECT tap.plan(27);

SET LOCAL client_min_messages = warning;

SET ROLE NONE;
CREATE ROLE sc_maria NOLOGIN;
CREATE ROLE sc_ben NOLOGIN;
CREATE ROLE sc_bi_maria NOLOGIN;
CREATE ROLE sc_everyone NOLOGIN;
CREATE ROLE sc_maria_member NOLOGIN IN ROLE sc_maria;
SELECT arcollect.grant_access('sc_maria', 'collector', owner => 'maria');
SELECT arcollect.grant_access('sc_ben', 'collector', owner => 'ben');
SELECT arcollect.grant_access('sc_bi_maria', 'reader', owner => 'maria');
SELECT arcollect.grant_access('sc_everyone', 'collector');
RESET ROLE;
GRANT USAGE ON SCHEMA billing TO sc_maria, sc_ben, sc_bi_maria, sc_everyone, sc_maria_member;

CREATE TABLE billing.sc_bill (id int PRIMARY KEY, cust text NOT NULL, amount numeric NOT NULL,
                              issued date NOT NULL, due date NOT NULL, owner text);
CREATE TABLE billing.sc_pay (id serial PRIMARY KEY, inv int NOT NULL, amount numeric NOT NULL, paid date NOT NULL);
-- m1, m2: maria's by their invoices; m3: ben's invoices, maria's by hand;
-- b1: ben's; n1: nobody's
INSERT INTO billing.sc_bill VALUES
    (1, 'sc m1', 500, current_date - 90, current_date - 60, 'maria'),
    (2, 'sc m1', 300, current_date - 40, current_date - 10, 'maria'),
    (3, 'sc m2', 250, current_date - 20, current_date + 10, 'maria'),
    (4, 'sc m3', 700, current_date - 70, current_date - 40, 'ben'),
    (5, 'sc b1', 900, current_date - 80, current_date - 50, 'ben'),
    (6, 'sc b1', 100, current_date - 10, current_date + 20, 'ben'),
    (7, 'sc n1', 400, current_date - 50, current_date - 20, NULL);
SELECT arcollect.attach('billing.sc_bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', owner => 'owner', default_currency => 'SEK') AS booked \gset
SELECT arcollect.attach_payments('billing.sc_pay', invoice_key => 'inv', amount => 'amount', paid_on => 'paid',
                                 invoices => 'billing.sc_bill') AS booked \gset
INSERT INTO billing.sc_pay (inv, amount, paid) VALUES (1, 100, current_date - 30), (5, 200, current_date - 30),
                                                      (7, 50, current_date - 5);
UPDATE arcollect.customer SET owner = 'maria' WHERE customer_id = 'sc m3';
-- records of every customer, made by the suite's role (an admin)
SELECT count(arcollect.open_dispute(k, 'pricing', 50, billing_table => 'billing.sc_bill'))
  FROM unnest('{1,4,5,7}'::text[]) k \gset
SELECT count(arcollect.promise_to_pay(c, 50, current_date + 5)) FROM unnest('{sc m1,sc b1,sc n1}'::text[]) c \gset
SELECT count(arcollect.log_touchpoint(c, 'call', outcome => 'reached')) FROM unnest('{sc m2,sc b1,sc n1}'::text[]) c \gset
SELECT arcollect.create_payment_plan('sc b1', ARRAY[current_date + 10], '{900}', '{5}') AS plan_id \gset

CREATE TEMP TABLE expected_customers (role name, customer_id text);
INSERT INTO expected_customers VALUES ('sc_maria', 'sc m1'), ('sc_maria', 'sc m2'), ('sc_maria', 'sc m3'),
                                      ('sc_ben', 'sc b1');
GRANT SELECT ON expected_customers TO PUBLIC;

-- The customers the current role sees in every table and view with a
-- customer_id, by relation, among the ones this file made.
CREATE FUNCTION pg_temp.seen() RETURNS TABLE (relation text, customers text) LANGUAGE plpgsql AS $$
DECLARE
    r record;
    c text;
BEGIN
    FOR r IN SELECT k.oid::regclass AS rel FROM pg_catalog.pg_class k
              WHERE k.relnamespace = 'arcollect'::regnamespace AND k.relkind IN ('r', 'v')
                AND EXISTS (SELECT FROM pg_catalog.pg_attribute a WHERE a.attrelid = k.oid AND a.attname = 'customer_id')
                AND pg_catalog.has_table_privilege(k.oid, 'SELECT')
              ORDER BY 1
    LOOP
        EXECUTE format('SELECT string_agg(DISTINCT customer_id, '','' ORDER BY customer_id) FROM %s
                         WHERE customer_id LIKE ''sc %%''', r.rel) INTO c;
        relation := r.rel::text;
        customers := c;
        RETURN NEXT;
    END LOOP;
END
$$;
-- Those relations where it saw customers others than those expected.
CREATE FUNCTION pg_temp.seen_wrongly(expected text) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(relation || ': ' || customers, '; ')
      FROM pg_temp.seen() WHERE NOT string_to_array(customers, ',') <@ string_to_array(expected, ',')
$$;

------------------------------------------------------------------------
-- 1. maria's collector.
SET LOCAL ROLE sc_maria;
SELECT tap.is((SELECT string_agg(customer_id, ',' ORDER BY customer_id) FROM arcollect.customer
                WHERE customer_id LIKE 'sc %'),
              'sc m1,sc m2,sc m3', 'a collector limited to maria sees her customers, m3 by its owner set by hand');
SELECT tap.is(pg_temp.seen_wrongly('sc m1,sc m2,sc m3'), NULL,
              'and no other, in any table or view that names customers');
SELECT tap.ok((SELECT count(*) FROM pg_temp.seen() WHERE customers IS NOT NULL) >= 12,
              'of which she sees rows in many');
SELECT tap.is((SELECT string_agg(invoice_key, ',' ORDER BY invoice_key) FROM arcollect.entry e
                JOIN arcollect.attachment a USING (attachment_id)
               WHERE a.billing_table = 'billing.sc_bill'::regclass),
              '1', 'the entries of their invoices only (a payment of invoice 1)');
SELECT tap.is((SELECT sum(open_amount) FROM arcollect.open_items() WHERE billing_table = 'billing.sc_bill'::regclass),
              1650::numeric, 'open_items gives their invoices: 400 + 300 + 250 + 700');
SELECT tap.is((SELECT sum(total) FROM arcollect.aging_report WHERE customer_id LIKE 'sc %'), 1650::numeric,
              'and so do the BI views');
SELECT tap.is((SELECT balance FROM arcollect.receivables_balance() WHERE currency = 'SEK'), 1650::numeric,
              'and the balance');
SELECT tap.lives_ok($$SELECT arcollect.log_touchpoint('sc m1', 'email', outcome => 'sent')$$,
                    'she records a touchpoint for her customer');
SELECT tap.lives_ok($$SELECT arcollect.open_dispute('2', 'quality', 20, billing_table => 'billing.sc_bill')$$,
                    'and a dispute');
SELECT tap.lives_ok($$SELECT arcollect.promise_to_pay('sc m2', 100, current_date + 3)$$, 'and a promise');
SELECT tap.throws_ok($$INSERT INTO arcollect.touchpoint (customer_id, channel, status, done_at)
                       VALUES ('sc b1', 'call', 'done', now())$$,
                     '42501', NULL, 'but none for ben''s customer');
SELECT tap.throws_ok($$SELECT arcollect.log_touchpoint('sc b1', 'call')$$, NULL, NULL,
                     'whose customer she does not even see');
SELECT tap.throws_ok($$SELECT arcollect.open_dispute('5', 'pricing', 10, billing_table => 'billing.sc_bill')$$,
                     '22023', NULL, 'nor his invoices');
SELECT tap.is((SELECT count(*) FROM arcollect.dispute WHERE customer_id = 'sc b1'), 0::bigint,
              'nor his disputes');
RESET ROLE;
-- (a session of her own: the suite's session user may act as anyone)
SET ROLE NONE;
SET LOCAL SESSION AUTHORIZATION sc_maria;
SELECT tap.throws_ok($$SELECT count(*) FROM arcollect.scope_customers('sc_ben')$$, '42501', NULL,
                     'and she cannot ask for his customers');
SELECT tap.is((SELECT count(*) FROM arcollect.scope_customers('sc_maria')), 3::bigint, 'but for her own');
RESET SESSION AUTHORIZATION;
RESET ROLE;

------------------------------------------------------------------------
-- 2. ben's collector, maria's reader, her members, and the others.
SET LOCAL ROLE sc_ben;
SELECT tap.is(pg_temp.seen_wrongly('sc b1'), NULL, 'ben''s collector sees only b1, not m3 which maria owns now');
RESET ROLE;
SET LOCAL ROLE sc_bi_maria;
SELECT tap.is(pg_temp.seen_wrongly('sc m1,sc m2,sc m3'), NULL, 'a reader limited to maria sees her customers only');
SELECT tap.is((SELECT sum(ending_ar) FROM arcollect.kpi_monthly
                WHERE month = date_trunc('month', current_date)::date AND currency = 'SEK'),
              1650::numeric, 'her KPIs are her customers''');
SELECT tap.is((SELECT sum(disputed_amount) FROM arcollect.dispute_summary WHERE currency = 'SEK'), 120::numeric,
              'and so are her disputes (50 on invoices 1 and 4, 20 on invoice 2)');
RESET ROLE;
SET LOCAL ROLE sc_maria_member;
SELECT tap.is(pg_temp.seen_wrongly('sc m1,sc m2,sc m3'), NULL, 'a member of a limited role is limited too');
RESET ROLE;
SET LOCAL ROLE sc_everyone;
SELECT tap.is((SELECT string_agg(customer_id, ',' ORDER BY customer_id) FROM arcollect.aging_report
                WHERE customer_id LIKE 'sc %'),
              'sc b1,sc m1,sc m2,sc m3,sc n1', 'a collector not limited sees every customer');
RESET ROLE;
SELECT tap.is((SELECT count(DISTINCT customer_id) FROM arcollect.invoice WHERE customer_id LIKE 'sc %'), 5::bigint,
              'so does the suite''s admin');

------------------------------------------------------------------------
-- 3. Owners change, limits are taken back, and who may be limited.
UPDATE arcollect.customer SET owner = 'maria' WHERE customer_id = 'sc n1';
SET LOCAL ROLE sc_maria;
SELECT tap.is((SELECT string_agg(customer_id, ',' ORDER BY customer_id) FROM arcollect.aging_report
                WHERE customer_id LIKE 'sc %'),
              'sc m1,sc m2,sc m3,sc n1', 'a customer given to maria is hers at once');
RESET ROLE;
SET ROLE NONE;
SELECT arcollect.grant_access('sc_maria', 'collector');
RESET ROLE;
SET LOCAL ROLE sc_maria;
SELECT tap.is((SELECT count(DISTINCT customer_id) FROM arcollect.customer_summary WHERE customer_id LIKE 'sc %'),
              5::bigint, 'granted again without owner, she sees everyone');
RESET ROLE;
SET ROLE NONE;
SELECT arcollect.revoke_access('sc_ben');
SELECT tap.is((SELECT count(*) FROM arcollect.access_scope WHERE role::text IN ('sc_maria', 'sc_ben')), 0::bigint,
              'and revoke_access takes the limit back too');
SELECT tap.throws_ok($$SELECT arcollect.grant_access('sc_ben', 'admin', owner => 'ben')$$, '22023', NULL,
                     'an admin is never limited');
RESET ROLE;

SELECT * FROM tap.finish();
ROLLBACK;
