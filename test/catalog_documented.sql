-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- What a BI tool or a DBA reads off the catalog of the whole arcollect
-- schema, whatever file created the object: every table, view and column
-- is described; every function a user calls is described; PUBLIC reads
-- no data; every table that holds data, and its sequences, is kept by
-- pg_dump; views have flat columns, and money comes with its currency.
-- Each check lists the objects that fail it, so a new object without its
-- COMMENT ON or its registration shows by name.
BEGIN;
SELECT tap.plan(10);

SELECT tap.is((SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_catalog.pg_class c
                WHERE c.relnamespace = 'arcollect'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
                  AND pg_catalog.obj_description(c.oid, 'pg_class') IS NULL),
              NULL, 'every table and view of schema arcollect has a comment');

SELECT tap.is((SELECT string_agg(c.relname || '.' || a.attname, ', ' ORDER BY c.relname, a.attnum)
                 FROM pg_catalog.pg_class c
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE c.relnamespace = 'arcollect'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
                  AND pg_catalog.col_description(c.oid, a.attnum) IS NULL),
              NULL, 'every column of every table and view of schema arcollect has a comment');

-- Functions users call: not the internal ones (arcollect._*, described in
-- their source) nor the support functions of aggregates (they take or
-- return the aggregates' state; the aggregate itself is described); the
-- state's type, with its input and output functions, is.
SELECT tap.is((SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.oid::regprocedure::text)
                 FROM pg_catalog.pg_proc p
                WHERE p.pronamespace = 'arcollect'::regnamespace
                  AND p.proname NOT LIKE '\_%'
                  AND (NOT 'arcollect.aggregate_state'::regtype = ANY (p.proargtypes::oid[] || p.prorettype)
                       OR p.oid IN (SELECT unnest(ARRAY[t.typinput, t.typoutput, t.typreceive, t.typsend]::oid[])
                                      FROM pg_catalog.pg_type t
                                     WHERE t.oid = 'arcollect.aggregate_state'::regtype))
                  AND pg_catalog.obj_description(p.oid, 'pg_proc') IS NULL),
              NULL, 'every function and aggregate users call has a comment');

SELECT tap.is((SELECT string_agg(t.oid::regtype::text, ', ' ORDER BY t.oid::regtype::text)
                 FROM pg_catalog.pg_type t
                WHERE t.typnamespace = 'arcollect'::regnamespace AND t.typtype = 'b'
                  AND t.typcategory <> 'A'
                  AND pg_catalog.obj_description(t.oid, 'pg_type') IS NULL),
              NULL, 'every base type of schema arcollect has a comment');

-- PUBLIC reads no table, view or sequence but the catalogues of
-- what records allow (life cycles, which columns may change; touchpoint
-- channels, directions and outcomes; message placeholders), which are
-- not data.
SELECT tap.is((SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_catalog.pg_class c
                WHERE c.relnamespace = 'arcollect'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
                  AND c.relname NOT IN ('status_transition', 'record_column_rule', 'touchpoint_choice',
                                        'message_placeholder')
                  AND EXISTS (SELECT FROM pg_catalog.aclexplode(coalesce(c.relacl, pg_catalog.acldefault('r', c.relowner))) a
                               WHERE a.grantee = 0)),
              NULL, 'PUBLIC has no privilege on any table, view or sequence of schema arcollect with data');

SELECT tap.is((SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_catalog.pg_class c
                WHERE c.relnamespace = 'arcollect'::regnamespace AND c.relkind IN ('r', 'p', 'S')
                  AND c.oid <> ALL (SELECT unnest(e.extconfig) FROM pg_catalog.pg_extension e
                                     WHERE e.extname = 'arcollect')),
              NULL, 'every table and sequence of schema arcollect is registered with pg_extension_config_dump');

-- BI tools read views: no column is an array or json, but for settings
-- and rows kept as written, which are no figures: a customer's opt-out
-- channels (the list its setting is) and quarantined billing rows.
SELECT tap.is((SELECT string_agg(c.relname || '.' || a.attname, ', ' ORDER BY c.relname, a.attnum)
                 FROM pg_catalog.pg_class c
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                 JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
                WHERE c.relnamespace = 'arcollect'::regnamespace AND c.relkind IN ('v', 'm')
                  AND (t.typcategory = 'A' OR t.oid IN ('json'::regtype, 'jsonb'::regtype))
                  AND (c.relname, a.attname) NOT IN (('customer', 'opt_out_channels'),
                                                     ('quarantined_rows', 'row_data'),
                                                     ('_quarantine_held', 'row_data'))),
              NULL, 'no view column of schema arcollect is an array or json');

-- The views for BI (README, Views for BI) have columns of plain types only.
SELECT tap.is((SELECT string_agg(c.relname || '.' || a.attname || ' ' || pg_catalog.format_type(a.atttypid, NULL),
                                 ', ' ORDER BY c.relname, a.attnum)
                 FROM pg_catalog.pg_class c
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE c.relnamespace = 'arcollect'::regnamespace
                  AND c.relname IN ('aging_report', 'aging_by_owner', 'customer_summary', 'worklist',
                                    'kpi_monthly', 'cash_forecast', 'dispute_summary',
                                    'collector_performance', 'segment_kpis')
                  AND a.atttypid <> ALL ('{numeric,integer,text,date,boolean,timestamptz}'::regtype[])),
              NULL, 'the BI views have columns of type numeric, integer, text, date, boolean and timestamptz only');
SELECT tap.is((SELECT string_agg(v, ', ' ORDER BY v)
                 FROM unnest('{aging_report,aging_by_owner,customer_summary,kpi_monthly,dispute_summary,collector_performance,segment_kpis}'::text[]) v
                WHERE pg_catalog.to_regclass('arcollect.' || v) IS NULL),
              NULL, 'the BI views are there');

-- Amounts are per currency: a view with a numeric column has a currency
-- column, but for per-invoice internals (_history, _open_amount: the
-- invoice's currency), a customer's credit limit (in its currency) and
-- installments (in their plan's, arcollect.payment_plans).
SELECT tap.is((SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_catalog.pg_class c
                WHERE c.relnamespace = 'arcollect'::regnamespace AND c.relkind IN ('v', 'm')
                  AND EXISTS (SELECT FROM pg_catalog.pg_attribute a
                               WHERE a.attrelid = c.oid AND a.attnum > 0 AND a.atttypid = 'numeric'::regtype)
                  AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
                                   WHERE a.attrelid = c.oid AND a.attnum > 0 AND a.attname = 'currency')
                  AND c.relname NOT IN ('_history', '_open_amount', 'customer', 'installment')),
              NULL, 'every view with amounts has a currency column');

SELECT * FROM tap.finish();
ROLLBACK;
