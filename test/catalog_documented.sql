-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- What a BI tool or a DBA reads off the catalog of the whole arcollect
-- schema, whatever file created the object: every table, view and column
-- is described; every function a user calls is described; PUBLIC reads
-- no data; every table that holds data, and its sequences, is kept by
-- pg_dump.  Each check lists the objects that fail it, so a new object
-- without its COMMENT ON or its registration shows by name.
BEGIN;
SELECT tap.plan(6);

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

SELECT * FROM tap.finish();
ROLLBACK;
