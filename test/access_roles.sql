-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- The access levels of arcollect.grant_access.  A reader selects every
-- view (and table but quarantine) and writes nothing; a collector records
-- touchpoints, disputes, promises and payment plans and neither attaches
-- tables nor changes policies, costs or rules; an admin does both; a role
-- given nothing (as PUBLIC) sees nothing, and no internal helper is
-- PUBLIC's to execute.  grant_access gives exactly the level asked for,
-- revoke_access leaves nothing, and only the extension's owner may call
-- them.
BEGIN;
SELECT tap.plan(38);

SET LOCAL client_min_messages = warning;

-- Roles and their grants are a superuser's to make.
SET ROLE NONE;
CREATE ROLE ac_reader NOLOGIN;
CREATE ROLE ac_collector NOLOGIN;
CREATE ROLE ac_admin NOLOGIN;
CREATE ROLE ac_nobody NOLOGIN;
SELECT arcollect.grant_access('ac_reader', 'reader');
SELECT arcollect.grant_access('ac_collector', 'collector');
SELECT arcollect.grant_access('ac_admin', 'admin');
RESET ROLE;
GRANT USAGE ON SCHEMA billing TO ac_reader, ac_collector, ac_admin, ac_nobody;

-- A customer with two overdue invoices, for the collector's records.
CREATE TABLE billing.ac_bill (id int PRIMARY KEY, cust text NOT NULL, amount numeric NOT NULL,
                              issued date NOT NULL, due date NOT NULL);
INSERT INTO billing.ac_bill VALUES (1, 'ac1', 500, current_date - 60, current_date - 30),
                                   (2, 'ac1', 300, current_date - 50, current_date - 20),
                                   (3, 'ac1', 200, current_date - 40, current_date - 10);
SELECT arcollect.attach('billing.ac_bill', key => 'id', customer => 'cust', amount => 'amount',
                        due_on => 'due', issued_on => 'issued', default_currency => 'EUR') AS booked \gset

-- Selects every view as the current role; returns those it could not
-- read, and how.
CREATE FUNCTION pg_temp.unreadable_views(skip text[] DEFAULT '{}') RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v record;
    bad text[] := '{}';
    n bigint;
BEGIN
    FOR v IN SELECT c.oid::regclass AS name FROM pg_catalog.pg_class c
              WHERE c.relnamespace = 'arcollect'::regnamespace AND c.relkind = 'v'
                AND c.relname <> ALL (skip)
              ORDER BY c.relname
    LOOP
        BEGIN
            EXECUTE format('SELECT count(*) FROM %s', v.name) INTO n;
        EXCEPTION WHEN OTHERS THEN
            bad := bad || (v.name::text || ': ' || SQLSTATE);
        END;
    END LOOP;
    RETURN nullif(array_to_string(bad, '; '), '');
END
$$;
-- The views the current role can read.
CREATE FUNCTION pg_temp.readable_views() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v record;
    good text[] := '{}';
    n bigint;
BEGIN
    FOR v IN SELECT c.oid::regclass AS name FROM pg_catalog.pg_class c
              WHERE c.relnamespace = 'arcollect'::regnamespace AND c.relkind = 'v'
              ORDER BY c.relname
    LOOP
        BEGIN
            EXECUTE format('SELECT count(*) FROM %s', v.name) INTO n;
            good := good || v.name::text;
        EXCEPTION WHEN insufficient_privilege THEN
            NULL;
        END;
    END LOOP;
    RETURN nullif(array_to_string(good, ', '), '');
END
$$;
-- Every privilege a role holds on schema arcollect and its objects.
CREATE FUNCTION pg_temp.privileges_of(r regrole) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(x, ', ' ORDER BY x) FROM (
        SELECT c.oid::regclass::text || ' ' || a.privilege_type AS x
          FROM pg_catalog.pg_class c CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a
         WHERE c.relnamespace = 'arcollect'::regnamespace AND a.grantee = r
        UNION ALL
        SELECT c.oid::regclass::text || '.' || t.attname || ' ' || a.privilege_type
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_attribute t ON t.attrelid = c.oid AND t.attacl IS NOT NULL
         CROSS JOIN LATERAL pg_catalog.aclexplode(t.attacl) a
         WHERE c.relnamespace = 'arcollect'::regnamespace AND a.grantee = r
        UNION ALL
        SELECT p.oid::regprocedure::text || ' ' || a.privilege_type
          FROM pg_catalog.pg_proc p CROSS JOIN LATERAL pg_catalog.aclexplode(p.proacl) a
         WHERE p.pronamespace = 'arcollect'::regnamespace AND a.grantee = r
        UNION ALL
        SELECT 'schema ' || a.privilege_type
          FROM pg_catalog.pg_namespace n CROSS JOIN LATERAL pg_catalog.aclexplode(n.nspacl) a
         WHERE n.nspname = 'arcollect' AND a.grantee = r) p
$$;
-- The tables and views a role may write in any way.
CREATE FUNCTION pg_temp.writable_by(r regrole) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(c.relname || ' ' || p, ', ' ORDER BY c.relname, p)
      FROM pg_catalog.pg_class c
     CROSS JOIN unnest('{INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER}'::text[]) p
     WHERE c.relnamespace = 'arcollect'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
       AND (pg_catalog.has_table_privilege(r, c.oid, p)
            OR p IN ('INSERT', 'UPDATE', 'REFERENCES') AND pg_catalog.has_any_column_privilege(r, c.oid, p))
$$;

------------------------------------------------------------------------
-- 1. The reader.
SET LOCAL ROLE ac_reader;
SELECT tap.is(pg_temp.unreadable_views('{quarantined_rows,_quarantine_held}'), NULL,
              'a reader selects every view but the quarantine''s');
SELECT tap.ok((SELECT count(*) > 0 FROM arcollect.aging_report WHERE customer_id = 'ac1')
              AND (SELECT count(*) > 0 FROM arcollect.customer_summary WHERE customer_id = 'ac1'),
              'and reads the ledger through them');
SELECT tap.throws_ok($$SELECT count(*) FROM arcollect.quarantined_rows$$, '42501', NULL,
                     'a reader does not read quarantine (billing rows as written)');
SELECT tap.throws_ok($$SELECT count(*) FROM arcollect.quarantine$$, '42501', NULL, 'nor its table');
SELECT tap.throws_ok($$SELECT count(*) FROM billing.ac_bill$$, '42501', NULL,
                     'nor the billing table: arcollect gives nothing there');
SELECT tap.throws_ok($$SELECT arcollect.log_touchpoint('ac1', 'call')$$, '42501', NULL,
                     'a reader records no touchpoint');
SELECT tap.throws_ok($$SELECT arcollect.open_dispute('1', 'pricing', 10)$$, '42501', NULL, 'nor a dispute');
SELECT tap.throws_ok($$UPDATE arcollect.customer SET segment = 'x' WHERE customer_id = 'ac1'$$, '42501', NULL,
                     'nor edits a customer');
RESET ROLE;
SELECT tap.is(pg_temp.writable_by('ac_reader'), NULL, 'a reader may write no table or view in any way');
SELECT tap.ok(NOT pg_catalog.has_function_privilege('ac_reader', 'arcollect.attach(regclass, text, text, text, text, text, text, text, text, text, text, boolean, text, text[], text[], text, text)', 'EXECUTE')
              AND NOT pg_catalog.has_function_privilege('ac_reader', 'arcollect.detach(regclass)', 'EXECUTE'),
              'nor attach or detach a table');

------------------------------------------------------------------------
-- 2. The collector.
SET LOCAL ROLE ac_collector;
SELECT tap.lives_ok($$SELECT arcollect.log_touchpoint('ac1', 'call', outcome => 'promise', owner => 'ac collector')$$,
                    'a collector logs a touchpoint');
SELECT tap.lives_ok($$SELECT arcollect.open_dispute('1', 'pricing', 100, billing_table => 'billing.ac_bill')$$,
                    'opens a dispute');
SELECT tap.lives_ok($$SELECT arcollect.close_dispute(max(dispute_id), 'rejected') FROM arcollect.dispute
                       WHERE customer_id = 'ac1'$$,
                    'and closes it');
SELECT tap.lives_ok($$SELECT arcollect.promise_to_pay('ac1', 200, current_date + 7)$$, 'takes a promise to pay');
SELECT tap.lives_ok($$SELECT arcollect.create_payment_plan('ac1', ARRAY[current_date + 10, current_date + 40],
                                                           '{400,400}', '{1,2}')$$,
                    'makes a payment plan');
SELECT tap.lives_ok($$SELECT arcollect.cancel_payment_plan(max(plan_id), 'test') FROM arcollect.payment_plan
                       WHERE customer_id = 'ac1'$$,
                    'and cancels it');
SELECT tap.lives_ok($$UPDATE arcollect.customer SET segment = 'ac segment' WHERE customer_id = 'ac1'$$,
                    'edits a customer''s settings');
SELECT tap.is(pg_temp.unreadable_views('{quarantined_rows,_quarantine_held}'), NULL, 'and reads every view a reader reads');
SELECT tap.throws_ok($$SELECT arcollect.attach('billing.ac_bill', key => 'id', customer => 'cust', amount => 'amount',
                                               due_on => 'due', issued_on => 'issued', default_currency => 'EUR')$$,
                     '42501', NULL, 'a collector attaches no table');
SELECT tap.throws_ok($$INSERT INTO arcollect.policy (policy_name, description) VALUES ('ac', 'x')$$, '42501', NULL,
                     'adds no policy');
SELECT tap.throws_ok($$UPDATE arcollect.policy_step SET min_overdue_amount = 1 WHERE policy_name = 'default'$$, '42501', NULL,
                     'changes no policy step');
SELECT tap.throws_ok($$UPDATE arcollect.contact_rule SET max_attempts = 9 WHERE channel = 'call'$$, '42501', NULL,
                     'nor a contact rule');
SELECT tap.throws_ok($$INSERT INTO arcollect.channel_cost VALUES ('call', 'EUR', 3.50)$$, '42501', NULL,
                     'nor a channel''s cost');
SELECT tap.throws_ok($$SELECT count(*) FROM arcollect.quarantined_rows$$, '42501', NULL, 'and reads no quarantine');
RESET ROLE;

------------------------------------------------------------------------
-- 3. The admin.
SET LOCAL ROLE ac_admin;
SELECT tap.lives_ok($$INSERT INTO arcollect.channel_cost VALUES ('call', 'EUR', 3.50), ('email', 'EUR', 0.05)$$,
                    'an admin sets channel costs');
SELECT tap.lives_ok($$UPDATE arcollect.policy_step SET min_overdue_amount = 0 WHERE policy_name = 'default' AND step_no = 1$$,
                    'edits policies');
SELECT tap.is(pg_temp.unreadable_views(), NULL, 'reads every view, quarantine''s too');
SELECT tap.lives_ok($$SELECT arcollect.log_touchpoint('ac1', 'email', outcome => 'sent')$$, 'and records what a collector records');
RESET ROLE;

------------------------------------------------------------------------
-- 4. PUBLIC, and a role given nothing.
SET LOCAL ROLE ac_nobody;
SELECT tap.is(pg_temp.readable_views(), NULL, 'a role given no access reads no view');
RESET ROLE;
-- with the schema (as README, Installation, gives it for the functions),
-- only the catalogues PUBLIC reads, which are not data
SET ROLE NONE;
GRANT USAGE ON SCHEMA arcollect TO ac_nobody;
SET LOCAL ROLE ac_nobody;
SELECT tap.is(pg_temp.readable_views(),
              'arcollect.message_placeholder, arcollect.record_column_rule, arcollect.status_transition, arcollect.touchpoint_choice',
              'with USAGE on the schema, it reads only the catalogues of allowed values, no data');
RESET ROLE;
SELECT tap.is((SELECT string_agg(p.oid::regprocedure::text, ', ') FROM pg_catalog.pg_proc p
                WHERE p.pronamespace = 'arcollect'::regnamespace AND p.proname LIKE '\_%'
                  AND pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE')),
              NULL, 'no internal helper (arcollect._*) is executable by PUBLIC');

------------------------------------------------------------------------
-- 5. Levels replace each other; revoke_access leaves nothing.
SET ROLE NONE;
SELECT arcollect.grant_access('ac_admin', 'reader');
RESET ROLE;
SELECT tap.is(pg_temp.privileges_of('ac_admin'), pg_temp.privileges_of('ac_reader'),
              'an admin given reader has exactly a reader''s privileges');
SET ROLE NONE;
SELECT arcollect.revoke_access('ac_collector');
RESET ROLE;
SELECT tap.is(pg_temp.privileges_of('ac_collector'), NULL, 'revoke_access leaves no privilege on arcollect');

------------------------------------------------------------------------
-- 6. Who may call them, and with what.
SELECT tap.throws_ok($$SELECT arcollect.grant_access('ac_nobody', 'admin')$$, '42501', NULL,
                     'only the extension''s owner gives access (not an admin)');
SELECT tap.throws_ok($$SELECT arcollect.revoke_access('ac_reader')$$, '42501', NULL, 'or takes it back');
SET ROLE NONE;
SELECT tap.throws_ok($$SELECT arcollect.grant_access('ac_nobody', 'auditor')$$, '22023', 'unknown access level "auditor"',
                     'an unknown level is refused');
SELECT tap.throws_ok($$SELECT arcollect.grant_access(0, 'reader')$$, '22023', NULL, 'PUBLIC is refused');
SELECT tap.throws_ok($$SELECT arcollect.grant_access(NULL, 'reader')$$, '22004', NULL, 'a NULL role is refused');
RESET ROLE;

SELECT * FROM tap.finish();
ROLLBACK;
