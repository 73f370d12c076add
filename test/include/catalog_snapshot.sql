-- What the arcollect extension installed in the current database, one row
-- (kind, object, definition) per fact, with no OIDs: two databases with
-- the same rows have the same objects, definitions, comments and
-- privileges.  The upgrade test compares an upgraded database with a
-- fresh install through it.
WITH ext AS (
    SELECT e.oid, e.extversion, e.extconfig, e.extcondition FROM pg_catalog.pg_extension e
     WHERE e.extname = 'arcollect'),
member AS (
    SELECT d.classid, d.objid FROM pg_catalog.pg_depend d, ext
     WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
       AND d.refobjid = ext.oid AND d.deptype = 'e'),
rel AS (
    SELECT c.oid, c.relkind FROM pg_catalog.pg_class c
      JOIN member m ON m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND m.objid = c.oid),
fn AS (
    SELECT p.oid, p.prokind FROM pg_catalog.pg_proc p
      JOIN member m ON m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND m.objid = p.oid)
SELECT 'extension' AS kind, 'arcollect' AS object, ext.extversion AS definition FROM ext
UNION ALL
SELECT 'member', pg_catalog.pg_describe_object(m.classid, m.objid, 0), '' FROM member m
UNION ALL
SELECT 'schema', n.nspname, pg_catalog.concat_ws(' | ', n.nspacl::text, pg_catalog.obj_description(n.oid, 'pg_namespace'))
  FROM pg_catalog.pg_namespace n WHERE n.nspname = 'arcollect'
UNION ALL
SELECT 'function', fn.oid::pg_catalog.regprocedure::text,
       pg_catalog.concat_ws(' | ', pg_catalog.pg_get_functiondef(fn.oid), p.proacl::text,
                            pg_catalog.obj_description(fn.oid, 'pg_proc'))
  FROM fn JOIN pg_catalog.pg_proc p ON p.oid = fn.oid WHERE fn.prokind <> 'a'
UNION ALL
SELECT 'aggregate', fn.oid::pg_catalog.regprocedure::text,
       pg_catalog.concat_ws(' | ', pg_catalog.pg_get_function_arguments(fn.oid),
                            pg_catalog.pg_get_function_result(fn.oid), a.aggkind, a.aggnumdirectargs,
                            a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn,
                            a.aggmtransfn, a.aggminvtransfn, a.aggmfinalfn, a.aggfinalextra,
                            a.aggmfinalextra, a.aggfinalmodify, a.aggmfinalmodify, a.aggsortop,
                            a.aggtranstype::pg_catalog.regtype, a.aggtransspace,
                            a.aggmtranstype::pg_catalog.regtype, a.aggmtransspace, a.agginitval,
                            a.aggminitval, p.proparallel, p.provolatile, p.proisstrict, p.proacl::text,
                            pg_catalog.obj_description(fn.oid, 'pg_proc'))
  FROM fn JOIN pg_catalog.pg_proc p ON p.oid = fn.oid
  JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = fn.oid
 WHERE fn.prokind = 'a'
UNION ALL
SELECT 'relation', rel.oid::pg_catalog.regclass::text,
       pg_catalog.concat_ws(' | ', c.relkind, c.relpersistence, c.reloptions::text, c.relacl::text,
                            c.relrowsecurity, c.relforcerowsecurity,
                            pg_catalog.obj_description(rel.oid, 'pg_class'),
                            CASE WHEN c.relkind = 'v' THEN pg_catalog.pg_get_viewdef(rel.oid) END)
  FROM rel JOIN pg_catalog.pg_class c ON c.oid = rel.oid
UNION ALL
-- columns in their order (an upgrade appends columns: a fresh install
-- must list them in the same order)
SELECT 'column', rel.oid::pg_catalog.regclass::text || '.' || a.attname,
       pg_catalog.concat_ws(' | ',
                            pg_catalog.row_number() OVER (PARTITION BY rel.oid ORDER BY a.attnum),
                            pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
                            pg_catalog.pg_get_expr(d.adbin, d.adrelid), co.collname, a.attidentity,
                            a.attgenerated, a.attacl::text, pg_catalog.col_description(rel.oid, a.attnum))
  FROM rel JOIN pg_catalog.pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 100
UNION ALL
SELECT 'constraint', rel.oid::pg_catalog.regclass::text || ' ' || k.conname,
       pg_catalog.concat_ws(' | ', pg_catalog.pg_get_constraintdef(k.oid),
                            pg_catalog.obj_description(k.oid, 'pg_constraint'))
  FROM rel JOIN pg_catalog.pg_constraint k ON k.conrelid = rel.oid
UNION ALL
SELECT 'index', i.indexrelid::pg_catalog.regclass::text,
       pg_catalog.concat_ws(' | ', pg_catalog.pg_get_indexdef(i.indexrelid),
                            pg_catalog.obj_description(i.indexrelid, 'pg_class'))
  FROM rel JOIN pg_catalog.pg_index i ON i.indrelid = rel.oid
UNION ALL
SELECT 'trigger', rel.oid::pg_catalog.regclass::text || ' ' || t.tgname, pg_catalog.pg_get_triggerdef(t.oid)
  FROM rel JOIN pg_catalog.pg_trigger t ON t.tgrelid = rel.oid AND NOT t.tgisinternal
UNION ALL
SELECT 'policy', rel.oid::pg_catalog.regclass::text || ' ' || p.polname,
       pg_catalog.concat_ws(' | ', p.polcmd, p.polpermissive, p.polroles::text,
                            pg_catalog.pg_get_expr(p.polqual, p.polrelid),
                            pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid))
  FROM rel JOIN pg_catalog.pg_policy p ON p.polrelid = rel.oid
UNION ALL
SELECT 'sequence', rel.oid::pg_catalog.regclass::text,
       pg_catalog.concat_ws(' | ', s.seqtypid::pg_catalog.regtype, s.seqstart, s.seqincrement, s.seqmax,
                            s.seqmin, s.seqcache, s.seqcycle)
  FROM rel JOIN pg_catalog.pg_sequence s ON s.seqrelid = rel.oid
UNION ALL
SELECT 'type', t.oid::pg_catalog.regtype::text,
       pg_catalog.concat_ws(' | ', t.typtype, t.typinput, t.typoutput, t.typreceive, t.typsend,
                            t.typbasetype::pg_catalog.regtype, t.typnotnull, t.typdefault, t.typacl::text,
                            pg_catalog.obj_description(t.oid, 'pg_type'))
  FROM member m JOIN pg_catalog.pg_type t
    ON m.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND m.objid = t.oid
UNION ALL
SELECT 'event trigger', v.evtname,
       pg_catalog.concat_ws(' | ', v.evtevent, v.evtfoid::pg_catalog.regprocedure, v.evtenabled,
                            v.evttags::text, pg_catalog.obj_description(v.oid, 'pg_event_trigger'))
  FROM member m JOIN pg_catalog.pg_event_trigger v
    ON m.classid = 'pg_catalog.pg_event_trigger'::pg_catalog.regclass AND m.objid = v.oid
UNION ALL
SELECT 'config dump', c.t::pg_catalog.regclass::text, coalesce(ext.extcondition[c.n], '')
  FROM ext, pg_catalog.unnest(ext.extconfig) WITH ORDINALITY c(t, n)
