-- Simple DSO and best possible DSO (src/dso.c).  Both share one state and
-- final function; each has a form with the default 90-day period.

CREATE OR REPLACE FUNCTION arcollect.dso_transfn(arcollect.aggregate_state, date, numeric, numeric, date)
RETURNS arcollect.aggregate_state AS 'MODULE_PATHNAME', 'arcollect_dso_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.dso_transfn(arcollect.aggregate_state, date, numeric, numeric, date, integer)
RETURNS arcollect.aggregate_state AS 'MODULE_PATHNAME', 'arcollect_dso_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.best_possible_dso_transfn(arcollect.aggregate_state, date, date, numeric, numeric, date)
RETURNS arcollect.aggregate_state AS 'MODULE_PATHNAME', 'arcollect_best_possible_dso_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.best_possible_dso_transfn(arcollect.aggregate_state, date, date, numeric, numeric, date, integer)
RETURNS arcollect.aggregate_state AS 'MODULE_PATHNAME', 'arcollect_best_possible_dso_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.dso_combinefn(arcollect.aggregate_state, arcollect.aggregate_state)
RETURNS arcollect.aggregate_state AS 'MODULE_PATHNAME', 'arcollect_dso_combinefn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.dso_finalfn(arcollect.aggregate_state)
RETURNS numeric AS 'MODULE_PATHNAME', 'arcollect_dso_finalfn'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE OR REPLACE AGGREGATE arcollect.dso(issued_on date, amount numeric, open_amount numeric,
                               as_of date) (
    SFUNC = arcollect.dso_transfn, STYPE = arcollect.aggregate_state, SSPACE = 72,
    FINALFUNC = arcollect.dso_finalfn, COMBINEFUNC = arcollect.dso_combinefn,
    PARALLEL = SAFE
);

CREATE OR REPLACE AGGREGATE arcollect.dso(issued_on date, amount numeric, open_amount numeric,
                               as_of date, period_days integer) (
    SFUNC = arcollect.dso_transfn, STYPE = arcollect.aggregate_state, SSPACE = 72,
    FINALFUNC = arcollect.dso_finalfn, COMBINEFUNC = arcollect.dso_combinefn,
    PARALLEL = SAFE
);

CREATE OR REPLACE AGGREGATE arcollect.best_possible_dso(issued_on date, due_on date, amount numeric,
                                             open_amount numeric, as_of date) (
    SFUNC = arcollect.best_possible_dso_transfn, STYPE = arcollect.aggregate_state, SSPACE = 72,
    FINALFUNC = arcollect.dso_finalfn, COMBINEFUNC = arcollect.dso_combinefn,
    PARALLEL = SAFE
);

CREATE OR REPLACE AGGREGATE arcollect.best_possible_dso(issued_on date, due_on date, amount numeric,
                                             open_amount numeric, as_of date,
                                             period_days integer) (
    SFUNC = arcollect.best_possible_dso_transfn, STYPE = arcollect.aggregate_state, SSPACE = 72,
    FINALFUNC = arcollect.dso_finalfn, COMBINEFUNC = arcollect.dso_combinefn,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE arcollect.dso(date, numeric, numeric, date) IS
'Simple DSO over 90 days: open amounts issued by as_of / credit sales issued in the 90 days ending at as_of * 90. NULL without sales.';
COMMENT ON AGGREGATE arcollect.dso(date, numeric, numeric, date, integer) IS
'Simple DSO: open amounts issued by as_of / credit sales issued in the period_days days ending at as_of * period_days. NULL without sales.';
COMMENT ON AGGREGATE arcollect.best_possible_dso(date, date, numeric, numeric, date) IS
'Best possible DSO over 90 days: like dso, counting only receivables not yet due (due_on >= as_of).';
COMMENT ON AGGREGATE arcollect.best_possible_dso(date, date, numeric, numeric, date, integer) IS
'Best possible DSO: like dso, counting only receivables not yet due (due_on >= as_of).';
