-- Aging: days overdue, buckets, and the aging aggregate (src/aging.c).

CREATE OR REPLACE FUNCTION arcollect.days_overdue(due_on date, as_of date)
RETURNS integer
AS 'MODULE_PATHNAME', 'arcollect_days_overdue'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.days_overdue(date, date) IS
'Days past due: as_of - due_on. Zero or negative means not yet overdue.';

CREATE OR REPLACE FUNCTION arcollect.aging_bucket(due_on date, as_of date,
                                       bounds integer[] DEFAULT '{30,60,90}')
RETURNS text
AS 'MODULE_PATHNAME', 'arcollect_aging_bucket'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.aging_bucket(date, date, integer[]) IS
'Aging bucket label by days past due: current, 1-30, 31-60, 61-90, 91+ for the default bounds; a bound belongs to the bucket it closes.';

CREATE OR REPLACE FUNCTION arcollect.aging_bucket_index(due_on date, as_of date,
                                             bounds integer[] DEFAULT '{30,60,90}')
RETURNS integer
AS 'MODULE_PATHNAME', 'arcollect_aging_bucket_index'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.aging_bucket_index(date, date, integer[]) IS
'Position of the aging bucket for sorting: 0 for current, then 1 to n+1 for n bounds.';

-- Aggregate support functions take and return the internal state.  Each
-- aggregate declares SSPACE, the typical size of its state in bytes, so that
-- the planner can choose hash aggregation for many groups (it assumes 8 kB
-- per group for an internal state otherwise).
CREATE OR REPLACE FUNCTION arcollect.aging_transfn(internal, date, numeric, date)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_aging_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.aging_transfn(internal, date, numeric, date, integer[])
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_aging_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.aging_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_aging_combinefn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.aging_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'arcollect_aging_serialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.aging_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_aging_deserialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.aging_finalfn(internal)
RETURNS numeric[] AS 'MODULE_PATHNAME', 'arcollect_aging_finalfn'
LANGUAGE C STRICT PARALLEL SAFE;

-- Aggregates cannot have argument defaults, so the default bounds are a
-- second aggregate of the same name with one argument fewer.
CREATE OR REPLACE AGGREGATE arcollect.aging(due_on date, open_amount numeric, as_of date) (
    SFUNC = arcollect.aging_transfn,
    STYPE = internal, SSPACE = 256,
    FINALFUNC = arcollect.aging_finalfn,
    COMBINEFUNC = arcollect.aging_combinefn,
    SERIALFUNC = arcollect.aging_serialize,
    DESERIALFUNC = arcollect.aging_deserialize,
    PARALLEL = SAFE
);

CREATE OR REPLACE AGGREGATE arcollect.aging(due_on date, open_amount numeric, as_of date,
                                 bounds integer[]) (
    SFUNC = arcollect.aging_transfn,
    STYPE = internal, SSPACE = 256,
    FINALFUNC = arcollect.aging_finalfn,
    COMBINEFUNC = arcollect.aging_combinefn,
    SERIALFUNC = arcollect.aging_serialize,
    DESERIALFUNC = arcollect.aging_deserialize,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE arcollect.aging(date, numeric, date) IS
'Open amount per aging bucket as of a date, current first: {current, 1-30, 31-60, 61-90, 91+}. Empty buckets are 0.';
COMMENT ON AGGREGATE arcollect.aging(date, numeric, date, integer[]) IS
'Open amount per aging bucket for the given bounds, current first; n bounds give n+2 buckets. Empty buckets are 0.';
