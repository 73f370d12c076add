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

-- Aggregate support functions take and return arcollect.aggregate_state
-- (sql/schema/aggregate_state.sql), the state of every arcollect aggregate.
-- Each aggregate declares SSPACE, the typical size of its state in bytes,
-- so that the planner can choose hash aggregation for many groups.  The
-- combine function merges two states, in parallel plans and on a Citus
-- coordinator; no serialize functions: the state is a value of its own.
CREATE OR REPLACE FUNCTION arcollect.aging_transfn(arcollect.aggregate_state, date, numeric, date)
RETURNS arcollect.aggregate_state AS 'MODULE_PATHNAME', 'arcollect_aging_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.aging_transfn(arcollect.aggregate_state, date, numeric, date, integer[])
RETURNS arcollect.aggregate_state AS 'MODULE_PATHNAME', 'arcollect_aging_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.aging_combinefn(arcollect.aggregate_state, arcollect.aggregate_state)
RETURNS arcollect.aggregate_state AS 'MODULE_PATHNAME', 'arcollect_aging_combinefn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.aging_finalfn(arcollect.aggregate_state)
RETURNS numeric[] AS 'MODULE_PATHNAME', 'arcollect_aging_finalfn'
LANGUAGE C STRICT PARALLEL SAFE;

-- Aggregates cannot have argument defaults, so the default bounds are a
-- second aggregate of the same name with one argument fewer.
CREATE OR REPLACE AGGREGATE arcollect.aging(due_on date, open_amount numeric, as_of date) (
    SFUNC = arcollect.aging_transfn,
    STYPE = arcollect.aggregate_state, SSPACE = 160,
    FINALFUNC = arcollect.aging_finalfn,
    COMBINEFUNC = arcollect.aging_combinefn,
    PARALLEL = SAFE
);

CREATE OR REPLACE AGGREGATE arcollect.aging(due_on date, open_amount numeric, as_of date,
                                 bounds integer[]) (
    SFUNC = arcollect.aging_transfn,
    STYPE = arcollect.aggregate_state, SSPACE = 256,
    FINALFUNC = arcollect.aging_finalfn,
    COMBINEFUNC = arcollect.aging_combinefn,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE arcollect.aging(date, numeric, date) IS
'Open amount per aging bucket as of a date, current first: {current, 1-30, 31-60, 61-90, 91+}. Empty buckets are 0.';
COMMENT ON AGGREGATE arcollect.aging(date, numeric, date, integer[]) IS
'Open amount per aging bucket for the given bounds, current first; n bounds give n+2 buckets. Empty buckets are 0.';
