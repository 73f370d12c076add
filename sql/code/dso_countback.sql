-- Countback DSO over calendar months (src/dso_countback.c).

CREATE OR REPLACE FUNCTION arcollect.dso_countback_transfn(arcollect.aggregate_state, date, numeric, numeric, date)
RETURNS arcollect.aggregate_state AS 'MODULE_PATHNAME', 'arcollect_dso_countback_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.dso_countback_combinefn(arcollect.aggregate_state, arcollect.aggregate_state)
RETURNS arcollect.aggregate_state AS 'MODULE_PATHNAME', 'arcollect_dso_countback_combinefn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.dso_countback_finalfn(arcollect.aggregate_state)
RETURNS numeric AS 'MODULE_PATHNAME', 'arcollect_dso_countback_finalfn'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE OR REPLACE AGGREGATE arcollect.dso_countback(issued_on date, amount numeric,
                                         open_amount numeric, as_of date) (
    SFUNC = arcollect.dso_countback_transfn, STYPE = arcollect.aggregate_state, SSPACE = 840,
    FINALFUNC = arcollect.dso_countback_finalfn,
    COMBINEFUNC = arcollect.dso_countback_combinefn,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE arcollect.dso_countback(date, numeric, numeric, date) IS
'Countback DSO: receivables at as_of walked back against calendar-month credit sales, newest month first. 0 when nothing is owed; NULL when the receivables are older than the sales history.';
