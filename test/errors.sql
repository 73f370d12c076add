-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Malformed input to every arcollect function gives an error with the right
-- SQLSTATE (and, where the message should name the bad value, names it),
-- never a crash; NULL inputs give NULL from the scalars and are skipped by
-- the aggregates.
BEGIN;
SELECT tap.plan(223);

SET LOCAL client_min_messages = warning;

-- ---------------------------------------------------------------------------
-- Error cases: the query, the SQLSTATE, and a pattern the message must match
-- (NULL when only the SQLSTATE is checked).
-- ---------------------------------------------------------------------------
CREATE TABLE billing.tap_error_case (
    ord     serial PRIMARY KEY,
    label   text NOT NULL,
    query   text NOT NULL,
    errcode text NOT NULL,
    message text
);

-- Bad bounds, for each of the three functions that take them.
INSERT INTO billing.tap_error_case (label, query, errcode, message)
SELECT format('%s with bounds %s', fn.name, b.bounds),
       format(fn.call, b.bounds), '22023', b.message
FROM (VALUES
        (1, 'aging_bucket',
         $$SELECT arcollect.aging_bucket(date '2025-01-01', date '2025-03-01', %L)$$),
        (2, 'aging_bucket_index',
         $$SELECT arcollect.aging_bucket_index(date '2025-01-01', date '2025-03-01', %L)$$),
        (3, 'aging aggregate',
         $$SELECT arcollect.aging(due_on, amount, date '2025-03-01', %L::integer[])
             FROM (VALUES (date '2025-01-01', 10.00), (date '2025-02-01', 5.00)) v(due_on, amount)$$)
     ) fn(n, name, call),
     (VALUES
        (1, '{0,30,60}',          'bound 1 is 0\M.*positive'),
        (2, '{30,-5,60}',         'bound 2 is -5\M.*positive'),
        (3, '{-2147483648}',      'bound 1 is -2147483648\M.*positive'),
        (4, '{30,30,60}',         'bound 2 is 30\M.*greater than bound 1 \(30\)'),
        (5, '{30,60,45}',         'bound 3 is 45\M.*greater than bound 2 \(60\)'),
        (6, '{30,NULL,90}',       'NULL'),
        (7, '{NULL}',             'NULL'),
        (8, '{{30,60},{90,120}}', 'one-dimensional')
     ) b(n, bounds, message)
ORDER BY fn.n, b.n;

INSERT INTO billing.tap_error_case (label, query, errcode, message) VALUES
 -- far too many bounds is a limit, not a bad value
 ('aging_bucket with 1001 bounds',
  $$SELECT arcollect.aging_bucket(date '2025-01-01', date '2025-03-01',
                                  ARRAY(SELECT generate_series(1, 1001)))$$,
  '54000', NULL),

 -- bounds that change within one group, also to a bad value later on
 ('aging with bounds changing within a group',
  $$SELECT arcollect.aging(due_on, amount, date '2025-03-01', bounds)
      FROM (VALUES (date '2025-01-01', 1.00, '{30,60,90}'::integer[]),
                   (date '2025-01-02', 2.00, '{30,60,120}'::integer[])) v(due_on, amount, bounds)$$,
  '22023', 'bounds'),
 ('aging with a bad bound on a later row of the group',
  $$SELECT arcollect.aging(due_on, amount, date '2025-03-01', bounds)
      FROM (VALUES (date '2025-01-01', 1.00, '{30,60,90}'::integer[]),
                   (date '2025-01-02', 2.00, '{30,20}'::integer[])) v(due_on, amount, bounds)$$,
  '22023', 'bound 2 is 20\M'),

 -- as_of changing within one group
 ('aging with as_of changing within a group',
  $$SELECT arcollect.aging(due_on, 1.00, as_of)
      FROM (VALUES (date '2025-01-01', date '2025-03-01'),
                   (date '2025-01-01', date '2025-03-02')) v(due_on, as_of)$$,
  '22023', '2025-03-01.*2025-03-02'),
 ('dso with as_of changing within a group',
  $$SELECT arcollect.dso(issued_on, 100.00, 50.00, as_of)
      FROM (VALUES (date '2025-01-01', date '2025-03-01'),
                   (date '2025-01-01', date '2025-04-01')) v(issued_on, as_of)$$,
  '22023', '2025-03-01.*2025-04-01'),
 ('best_possible_dso with as_of changing within a group',
  $$SELECT arcollect.best_possible_dso(issued_on, issued_on + 30, 100.00, 50.00, as_of)
      FROM (VALUES (date '2025-01-01', date '2025-03-01'),
                   (date '2025-01-01', date '2025-04-01')) v(issued_on, as_of)$$,
  '22023', '2025-03-01.*2025-04-01'),
 ('dso_countback with as_of changing within a group',
  $$SELECT arcollect.dso_countback(issued_on, 100.00, 50.00, as_of)
      FROM (VALUES (date '2025-01-01', date '2025-03-01'),
                   (date '2025-01-01', date '2025-04-01')) v(issued_on, as_of)$$,
  '22023', '2025-03-01.*2025-04-01'),
 ('risk_score with as_of changing within a group',
  $$SELECT arcollect.risk_score(due_on, NULL, 100.00, 100.00, as_of)
      FROM (VALUES (date '2025-01-01', date '2025-03-01'),
                   (date '2025-01-01', date '2025-04-01')) v(due_on, as_of)$$,
  '22023', '2025-03-01.*2025-04-01'),

 -- period_days changing within one group, and not positive
 ('dso with period_days changing within a group',
  $$SELECT arcollect.dso(date '2025-01-01', 100.00, 50.00, date '2025-03-01', period)
      FROM (VALUES (90), (30)) v(period)$$,
  '22023', '\m90\M.*\m30\M'),
 ('best_possible_dso with period_days changing within a group',
  $$SELECT arcollect.best_possible_dso(date '2025-01-01', date '2025-02-01', 100.00, 50.00,
                                       date '2025-03-01', period)
      FROM (VALUES (90), (365)) v(period)$$,
  '22023', '\m90\M.*\m365\M'),
 ('dso with period_days 0',
  $$SELECT arcollect.dso(date '2025-01-01', 100.00, 50.00, date '2025-03-01', 0)$$,
  '22023', 'period_days.*\m0\M'),
 ('dso with period_days -30',
  $$SELECT arcollect.dso(date '2025-01-01', 100.00, 50.00, date '2025-03-01', -30)$$,
  '22023', 'period_days.*-30\M'),
 ('best_possible_dso with period_days 0',
  $$SELECT arcollect.best_possible_dso(date '2025-01-01', date '2025-02-01', 100.00, 50.00,
                                       date '2025-03-01', 0)$$,
  '22023', 'period_days.*\m0\M'),
 ('best_possible_dso with period_days -2147483648',
  $$SELECT arcollect.best_possible_dso(date '2025-01-01', date '2025-02-01', 100.00, 50.00,
                                       date '2025-03-01', -2147483648)$$,
  '22023', 'period_days.*-2147483648\M'),

 -- cei
 ('cei with months 0',
  $$SELECT arcollect.cei(100000, 1000000, 120000, 100000, 0)$$, '22023', 'months.*\m0\M'),
 ('cei with months -1',
  $$SELECT arcollect.cei(100000, 1000000, 120000, 100000, -1)$$, '22023', 'months.*-1\M'),
 ('cei with NaN beginning_ar',
  $$SELECT arcollect.cei('NaN', 1000000, 120000, 100000)$$, '22023', 'beginning_ar'),
 ('cei with NaN credit_sales',
  $$SELECT arcollect.cei(100000, 'NaN', 120000, 100000)$$, '22023', 'credit_sales'),
 ('cei with NaN ending_ar',
  $$SELECT arcollect.cei(100000, 1000000, 'NaN', 100000, 3)$$, '22023', 'ending_ar'),
 ('cei with NaN ending_current_ar',
  $$SELECT arcollect.cei(100000, 1000000, 120000, 'NaN')$$, '22023', 'ending_current_ar'),
 ('cei with infinite credit_sales',
  $$SELECT arcollect.cei(100000, 'Infinity', 120000, 100000)$$, '22023', 'credit_sales'),
 ('cei with -infinite ending_ar',
  $$SELECT arcollect.cei(100000, 1000000, '-Infinity', 100000)$$, '22023', 'ending_ar'),
 ('cei whose index is beyond numeric''s range',
  $$SELECT arcollect.cei(1e131071, 0, 0, 1e131071 - 1)$$, '22003', 'overflows'),

 -- payment_index
 ('payment_index of NaN',
  $$SELECT arcollect.payment_index('NaN')$$, '22023', 'NaN'),

 -- NaN and infinite amounts into aggregates (on a later row, after a good one)
 ('aging with a NaN open amount',
  $$SELECT arcollect.aging(due_on, amount, date '2025-03-01')
      FROM (VALUES (date '2025-01-01', 1.00), (date '2025-01-02', 'NaN')) v(due_on, amount)$$,
  '22023', 'NaN'),
 ('aging with an infinite open amount',
  $$SELECT arcollect.aging(due_on, amount, date '2025-03-01', '{15}')
      FROM (VALUES (date '2025-01-01', 1.00), (date '2025-01-02', 'Infinity')) v(due_on, amount)$$,
  '22023', 'Infinity'),
 ('avg_payment_delay with a NaN amount',
  $$SELECT arcollect.avg_payment_delay(date '2025-01-01', date '2025-01-05', amount)
      FROM (VALUES (1.00), ('NaN')) v(amount)$$,
  '22023', 'NaN'),
 ('avg_payment_delay with a -infinite amount',
  $$SELECT arcollect.avg_payment_delay(date '2025-01-01', date '2025-01-05', amount)
      FROM (VALUES (1.00), ('-Infinity')) v(amount)$$,
  '22023', 'Infinity'),
 ('dso with a NaN amount',
  $$SELECT arcollect.dso(date '2025-02-01', amount, 1.00, date '2025-03-01')
      FROM (VALUES (1.00), ('NaN')) v(amount)$$,
  '22023', 'NaN'),
 ('dso with a NaN open amount',
  $$SELECT arcollect.dso(date '2025-02-01', 1.00, open_amount, date '2025-03-01')
      FROM (VALUES (1.00), ('NaN')) v(open_amount)$$,
  '22023', 'NaN'),
 ('best_possible_dso with a NaN amount',
  $$SELECT arcollect.best_possible_dso(date '2025-02-01', date '2025-03-15', amount, 1.00,
                                       date '2025-03-01')
      FROM (VALUES (1.00), ('NaN')) v(amount)$$,
  '22023', 'NaN'),
 ('best_possible_dso with a NaN open amount not yet due',
  $$SELECT arcollect.best_possible_dso(date '2025-02-01', date '2025-03-15', 1.00, open_amount,
                                       date '2025-03-01')
      FROM (VALUES (1.00), ('NaN')) v(open_amount)$$,
  '22023', 'NaN'),
 ('dso_countback with a NaN amount',
  $$SELECT arcollect.dso_countback(date '2025-02-01', amount, 1.00, date '2025-03-01')
      FROM (VALUES (1.00), ('NaN')) v(amount)$$,
  '22023', 'NaN'),
 ('dso_countback with a NaN open amount',
  $$SELECT arcollect.dso_countback(date '2025-02-01', 1.00, open_amount, date '2025-03-01')
      FROM (VALUES (1.00), ('NaN')) v(open_amount)$$,
  '22023', 'NaN'),
 ('risk_score with a NaN amount',
  $$SELECT arcollect.risk_score(date '2025-01-01', NULL, amount, 1.00, date '2025-03-01')
      FROM (VALUES (1.00), ('NaN')) v(amount)$$,
  '22023', 'NaN'),
 ('risk_score with a NaN open amount',
  $$SELECT arcollect.risk_score(date '2025-01-01', NULL, 1.00, open_amount, date '2025-03-01')
      FROM (VALUES (1.00), ('NaN')) v(open_amount)$$,
  '22023', 'NaN'),

 -- infinite dates
 ('days_overdue with an infinite due_on',
  $$SELECT arcollect.days_overdue('infinity', date '2025-03-01')$$, '22023', 'due_on.*infinity'),
 ('days_overdue with a -infinite as_of',
  $$SELECT arcollect.days_overdue(date '2025-03-01', '-infinity')$$, '22023', 'as_of.*-infinity'),
 ('aging_bucket with an infinite as_of',
  $$SELECT arcollect.aging_bucket(date '2025-03-01', 'infinity')$$, '22023', 'as_of.*infinity'),
 ('aging_bucket_index with a -infinite due_on',
  $$SELECT arcollect.aging_bucket_index('-infinity', date '2025-03-01', '{10,20}')$$,
  '22023', 'due_on.*-infinity'),
 ('aging with an infinite due_on',
  $$SELECT arcollect.aging(due_on, 1.00, date '2025-03-01')
      FROM (VALUES (date '2025-01-01'), ('infinity')) v(due_on)$$, '22023', 'due_on.*infinity'),
 ('aging with an infinite as_of',
  $$SELECT arcollect.aging(date '2025-01-01', 1.00, 'infinity')$$, '22023', 'as_of.*infinity'),
 ('avg_payment_delay with an infinite paid_on',
  $$SELECT arcollect.avg_payment_delay(date '2025-01-01', paid_on, 1.00)
      FROM (VALUES (date '2025-01-03'), ('infinity')) v(paid_on)$$, '22023', 'paid_on.*infinity'),
 ('avg_payment_delay with a -infinite due_on',
  $$SELECT arcollect.avg_payment_delay('-infinity', date '2025-01-01', 1.00)$$,
  '22023', 'due_on.*-infinity'),
 ('avg_days_late with an infinite paid_on',
  $$SELECT arcollect.avg_days_late(date '2025-01-01', 'infinity')$$, '22023', 'paid_on.*infinity'),
 ('avg_days_late with an infinite due_on',
  $$SELECT arcollect.avg_days_late(due_on, date '2025-01-01')
      FROM (VALUES (date '2025-01-03'), ('-infinity')) v(due_on)$$, '22023', 'due_on.*-infinity'),
 ('dso with an infinite as_of',
  $$SELECT arcollect.dso(date '2025-01-01', 1.00, 1.00, 'infinity')$$, '22023', 'as_of.*infinity'),
 ('dso with a -infinite issued_on',
  $$SELECT arcollect.dso(issued_on, 1.00, 1.00, date '2025-03-01')
      FROM (VALUES (date '2025-01-03'), ('-infinity')) v(issued_on)$$, '22023', 'issued_on.*-infinity'),
 ('best_possible_dso with an infinite due_on',
  $$SELECT arcollect.best_possible_dso(date '2025-01-01', 'infinity', 1.00, 1.00, date '2025-03-01')$$,
  '22023', 'due_on.*infinity'),
 ('dso_countback with an infinite as_of',
  $$SELECT arcollect.dso_countback(date '2025-01-01', 1.00, 1.00, 'infinity')$$,
  '22023', 'as_of.*infinity'),
 ('dso_countback with a -infinite issued_on',
  $$SELECT arcollect.dso_countback(issued_on, 1.00, 1.00, date '2025-03-01')
      FROM (VALUES (date '2025-01-03'), ('-infinity')) v(issued_on)$$, '22023', 'issued_on.*-infinity'),
 ('risk_score with an infinite as_of',
  $$SELECT arcollect.risk_score(date '2025-01-01', NULL, 1.00, 1.00, 'infinity')$$,
  '22023', 'as_of.*infinity'),
 ('risk_score with a -infinite due_on',
  $$SELECT arcollect.risk_score(due_on, NULL, 1.00, 1.00, date '2025-03-01')
      FROM (VALUES (date '2025-01-03'), ('-infinity')) v(due_on)$$, '22023', 'due_on.*-infinity'),
 ('risk_score with a -infinite paid_on',
  $$SELECT arcollect.risk_score(date '2025-01-01', '-infinity', 1.00, 0.00, date '2025-03-01')$$,
  '22023', 'paid_on.*-infinity'),
 ('risk_score with an infinite paid_on',
  $$SELECT arcollect.risk_score(date '2025-01-01', 'infinity', 1.00, 0.00, date '2025-03-01')$$,
  '22023', 'paid_on.*infinity'),

 -- Bad values are bad input even on rows that end up not counting toward
 -- the figure (issued after as_of, before the sales period, overdue in a
 -- best possible DSO, a credit note in a risk score): the README promises
 -- 22023 for NaN or infinite amounts and infinite dates, whatever as_of is.
 ('risk_score with a credit note paid on -infinity',
  $$SELECT arcollect.risk_score(date '2025-01-01', '-infinity', -100.00, 0.00, date '2025-03-01')$$,
  '22023', NULL),
 ('dso with a NaN amount issued before the sales period',
  $$SELECT arcollect.dso(issued_on, amount, 10.00, date '2025-03-01')
      FROM (VALUES (date '2025-02-01', 100.00), (date '2024-01-01', 'NaN')) v(issued_on, amount)$$,
  '22023', NULL),
 ('dso with NaN amounts issued after as_of',
  $$SELECT arcollect.dso(issued_on, amount, amount, date '2025-03-01')
      FROM (VALUES (date '2025-02-01', 100.00), (date '2025-04-01', 'NaN')) v(issued_on, amount)$$,
  '22023', NULL),
 ('best_possible_dso with a NaN open amount already overdue',
  $$SELECT arcollect.best_possible_dso(date '2025-02-01', date '2025-02-15', 100.00, 'NaN',
                                       date '2025-03-01')$$,
  '22023', NULL),
 ('dso_countback with NaN amounts issued after as_of',
  $$SELECT arcollect.dso_countback(issued_on, amount, amount, date '2025-03-01')
      FROM (VALUES (date '2025-02-01', 100.00), (date '2025-04-01', 'NaN')) v(issued_on, amount)$$,
  '22023', NULL);

SELECT tap.throws_ok(query, errcode::char(5), NULL,
                     format('%s: error %s', label, errcode))
FROM billing.tap_error_case ORDER BY ord;

SELECT tap.throws_matching(query, message,
                           format('%s: the message says what is wrong (/%s/)', label, message))
FROM billing.tap_error_case WHERE message IS NOT NULL ORDER BY ord;

-- The server is still there, and still computes after all those errors.
SELECT tap.is(arcollect.aging_bucket(date '2025-01-01', date '2025-03-01', '{15,45}'), '46+',
              'after every error above the backend is alive and aging_bucket still works');

-- ---------------------------------------------------------------------------
-- NULL inputs to the scalars give NULL
-- ---------------------------------------------------------------------------
SELECT tap.is(arcollect.days_overdue(NULL, date '2025-03-01'), NULL, 'days_overdue(NULL, as_of) is NULL');
SELECT tap.is(arcollect.days_overdue(date '2025-03-01', NULL), NULL, 'days_overdue(due_on, NULL) is NULL');
SELECT tap.is(arcollect.aging_bucket(NULL, date '2025-03-01'), NULL, 'aging_bucket(NULL, as_of) is NULL');
SELECT tap.is(arcollect.aging_bucket(date '2025-01-01', NULL, '{30}'), NULL, 'aging_bucket(due_on, NULL, bounds) is NULL');
SELECT tap.is(arcollect.aging_bucket(date '2025-01-01', date '2025-03-01', NULL), NULL,
              'aging_bucket with NULL bounds is NULL');
SELECT tap.is(arcollect.aging_bucket_index(NULL, date '2025-03-01'), NULL, 'aging_bucket_index(NULL, as_of) is NULL');
SELECT tap.is(arcollect.aging_bucket_index(date '2025-01-01', date '2025-03-01', NULL), NULL,
              'aging_bucket_index with NULL bounds is NULL');
SELECT tap.is(arcollect.payment_index(NULL), NULL, 'payment_index(NULL) is NULL');
SELECT tap.is(arcollect.cei(NULL, 1000000, 120000, 100000), NULL, 'cei with NULL beginning_ar is NULL');
SELECT tap.is(arcollect.cei(100000, 1000000, 120000, NULL), NULL, 'cei with NULL ending_current_ar is NULL');
SELECT tap.is(arcollect.cei(100000, 1000000, 120000, 100000, NULL), NULL, 'cei with NULL months is NULL');

-- ---------------------------------------------------------------------------
-- Aggregates skip rows whose required inputs are NULL
-- ---------------------------------------------------------------------------
CREATE TABLE billing.tap_rows (
    kind        text NOT NULL,      -- 'good', or which input is NULL
    issued_on   date,
    due_on      date,
    paid_on     date,
    amount      numeric,
    open_amount numeric,
    as_of       date,
    bounds      integer[],
    period_days integer
);
INSERT INTO billing.tap_rows VALUES
 ('good', '2024-12-01', '2024-12-31', '2025-01-20', 1000.00, 0.00,    '2025-03-01', '{30,60,90}', 90),
 ('good', '2025-01-05', '2025-02-04', NULL,         2500.00, 2500.00, '2025-03-01', '{30,60,90}', 90),
 ('good', '2025-02-10', '2025-03-12', NULL,          700.00,  700.00, '2025-03-01', '{30,60,90}', 90),
 ('good', '2024-10-01', '2024-10-31', '2024-10-25', -200.00, 0.00,    '2025-03-01', '{30,60,90}', 90),
 ('good', '2024-11-15', '2024-11-30', NULL,          400.00,  400.00, '2025-03-01', '{30,60,90}', 90),
 ('issued_on',   NULL,         '2025-01-01', '2025-01-10', 9999.00, 9999.00, '2025-03-01', '{30,60,90}', 90),
 ('due_on',      '2025-01-01', NULL,         '2025-01-10', 9999.00, 9999.00, '2025-03-01', '{30,60,90}', 90),
 ('paid_on',     '2025-01-01', '2025-01-31', NULL,         9999.00, 9999.00, '2025-03-01', '{30,60,90}', 90),
 ('amount',      '2025-01-01', '2025-01-31', '2025-02-10', NULL,    9999.00, '2025-03-01', '{30,60,90}', 90),
 ('open_amount', '2025-01-01', '2025-01-31', '2025-02-10', 9999.00, NULL,    '2025-03-01', '{30,60,90}', 90),
 ('as_of',       '2025-01-01', '2025-01-31', '2025-02-10', 9999.00, 9999.00, NULL,         '{30,60,90}', 90),
 ('bounds',      '2025-01-01', '2025-01-31', '2025-02-10', 9999.00, 9999.00, '2025-03-01', NULL,         90),
 ('period_days', '2025-01-01', '2025-01-31', '2025-02-10', 9999.00, 9999.00, '2025-03-01', '{30,60,90}', NULL);

-- Each aggregate with the inputs it requires; the result over all rows must
-- equal the result over the good rows plus the rows whose NULL is in an
-- input the aggregate does not take (those rows do count).
CREATE TABLE billing.tap_null_case (
    ord      integer PRIMARY KEY,
    name     text NOT NULL,
    call     text NOT NULL,
    required text[] NOT NULL
);
INSERT INTO billing.tap_null_case VALUES
 (1, 'aging', 'arcollect.aging(due_on, open_amount, as_of)::text',
     '{due_on,open_amount,as_of}'),
 (2, 'aging with bounds', 'arcollect.aging(due_on, open_amount, as_of, bounds)::text',
     '{due_on,open_amount,as_of,bounds}'),
 (3, 'avg_payment_delay', 'arcollect.avg_payment_delay(due_on, paid_on, amount)::text',
     '{due_on,paid_on,amount}'),
 (4, 'avg_days_late', 'arcollect.avg_days_late(due_on, paid_on)::text',
     '{due_on,paid_on}'),
 (5, 'dso', 'arcollect.dso(issued_on, amount, open_amount, as_of, period_days)::text',
     '{issued_on,amount,open_amount,as_of,period_days}'),
 (6, 'best_possible_dso',
     'arcollect.best_possible_dso(issued_on, due_on, amount, open_amount, as_of, period_days)::text',
     '{issued_on,due_on,amount,open_amount,as_of,period_days}'),
 (7, 'dso_countback', 'arcollect.dso_countback(issued_on, amount, open_amount, as_of)::text',
     '{issued_on,amount,open_amount,as_of}'),
 (8, 'risk_score', 'arcollect.risk_score(due_on, paid_on, amount, open_amount, as_of)::text',
     '{due_on,amount,open_amount,as_of}');

CREATE FUNCTION pg_temp.tap_text(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    EXECUTE query INTO result;
    RETURN result;
END
$$;

SELECT tap.is(pg_temp.tap_text(format('SELECT %s FROM billing.tap_rows', call)),
              pg_temp.tap_text(format('SELECT %s FROM billing.tap_rows WHERE kind <> ALL (%L)', call, required)),
              format('%s skips the rows where a required input is NULL', name))
FROM billing.tap_null_case ORDER BY ord;

SELECT tap.isnt(pg_temp.tap_text(format('SELECT %s FROM billing.tap_rows WHERE kind = ''good''', call)), NULL,
                format('%s has a value on the good rows (the check above is not vacuous)', name))
FROM billing.tap_null_case ORDER BY ord;

SELECT tap.is(pg_temp.tap_text(format('SELECT %s FROM billing.tap_rows WHERE kind = ANY (%L)', call, required)), NULL,
              format('%s over rows that are all skipped is NULL', name))
FROM billing.tap_null_case ORDER BY ord;

SELECT tap.is(pg_temp.tap_text(format('SELECT %s FROM billing.tap_rows WHERE false', call)), NULL,
              format('%s over no rows is NULL', name))
FROM billing.tap_null_case ORDER BY ord;

-- risk_score takes a NULL paid_on as an unpaid invoice: the row counts.
SELECT tap.isnt(pg_temp.tap_text('SELECT arcollect.risk_score(due_on, paid_on, amount, open_amount, as_of)::text
                                    FROM billing.tap_rows WHERE kind IN (''good'', ''paid_on'')'),
                pg_temp.tap_text('SELECT arcollect.risk_score(due_on, paid_on, amount, open_amount, as_of)::text
                                    FROM billing.tap_rows WHERE kind = ''good'''),
                'risk_score counts a row with NULL paid_on as an unpaid invoice');

-- Under a parallel plan: half the groups have only skipped rows, so worker
-- states may be missing or empty and must still combine to NULL, while the
-- other half also have good rows and must have a value.
CREATE TABLE billing.tap_null_groups AS
SELECT g % 50 AS grp, r.*
FROM generate_series(1, 9000) g
JOIN billing.tap_rows r ON r.kind = (ARRAY['good', 'issued_on', 'due_on', 'paid_on', 'amount',
                                           'open_amount', 'as_of', 'bounds', 'period_days'])[1 + g % 9];
ANALYZE billing.tap_null_groups;

\ir include/tap_helpers.sql

CREATE FUNCTION pg_temp.tap_null_groups_query(c billing.tap_null_case) RETURNS text
LANGUAGE sql AS $$
    SELECT format(
        'SELECT format(''%%s NULL, %%s with a value'', count(*) FILTER (WHERE r IS NULL AND grp < 25), '
        'count(*) FILTER (WHERE r IS NOT NULL AND grp >= 25)) '
        'FROM (SELECT grp, %s AS r FROM billing.tap_null_groups '
        'WHERE kind = ANY (%L) OR (kind = ''good'' AND grp >= 25) GROUP BY grp) s',
        c.call, c.required);
$$;

SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL parallel_leader_participation = off;

SELECT tap.matches(pg_temp.tap_plan(pg_temp.tap_null_groups_query(c)), 'Partial (Hash|Group)?Aggregate',
                   format('%s over groups of skipped rows gets a parallel plan', c.name))
FROM billing.tap_null_case c ORDER BY ord;
SELECT tap.is(pg_temp.tap_text(pg_temp.tap_null_groups_query(c)), '25 NULL, 25 with a value',
              format('%s under a parallel plan: NULL for groups whose rows are all skipped, a value for the others', c.name))
FROM billing.tap_null_case c ORDER BY ord;

SELECT * FROM tap.finish();
ROLLBACK;
