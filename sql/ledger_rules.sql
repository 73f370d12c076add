-- The booking rules of a billing row (src/ledger_rules.c), called by the
-- SQL statements and, through the same C functions, by the fast path.
-- Each rule by hand, one argument wrong at a time; where several are
-- wrong, the first in this order decides.
\set SHOW_CONTEXT never

-- A row that can be booked: NULL.  paid_or_open NULL means the open
-- column is mapped and NULL.
SELECT r.case_name,
       arcollect.ledger_invoice_problem(r.k, r.cust, r.owner, r.amt, r.pin, r.iss, r.due, r.pon,
                                        r.cur, r.credit) AS problem
  FROM (VALUES
    ('usable',                 '1', 'c', 'o',  10::numeric, 0::numeric, date '2025-01-01', date '2025-01-31', NULL::date, 'EUR', false),
    ('usable credit note',     '1', 'c', NULL, -10,         0,   '2025-01-01', '2025-01-01', NULL,         'EUR', true),
    ('no key',                 NULL, NULL, NULL, NULL,      NULL, NULL,         NULL,         NULL,         NULL,  false),
    ('key of 1001 bytes',      repeat('k', 1001), 'c', NULL, 10, 0, '2025-01-01', '2025-01-31', NULL,       'EUR', false),
    ('key of 1000 bytes',      repeat('k', 1000), 'c', NULL, 10, 0, '2025-01-01', '2025-01-31', NULL,       'EUR', false),
    ('no customer',            '1', NULL, NULL, 10,         0,   '2025-01-01', '2025-01-31', NULL,         'EUR', false),
    ('long customer',          '1', repeat('c', 1001), NULL, 10, 0, '2025-01-01', '2025-01-31', NULL,       'EUR', false),
    ('long owner',             '1', 'c', repeat('o', 1001), 10, 0, '2025-01-01', '2025-01-31', NULL,       'EUR', false),
    ('no amount',              '1', 'c', NULL, NULL,        0,   NULL,         NULL,         NULL,         NULL,  false),
    ('NaN amount',             '1', 'c', NULL, 'NaN',       0,   NULL,         NULL,         NULL,         NULL,  false),
    ('amount 10^38',           '1', 'c', NULL, 1e38,        0,   '2025-01-01', '2025-01-31', NULL,         'EUR', false),
    ('paid Infinity',          '1', 'c', NULL, 10,          'Infinity', '2025-01-01', '2025-01-31', NULL,  'EUR', false),
    ('no issue date',          '1', 'c', NULL, 10,          0,   NULL,         NULL,         NULL,         NULL,  false),
    ('no due date',            '1', 'c', NULL, 10,          0,   '2025-01-01', NULL,         NULL,         NULL,  false),
    ('infinite due date',      '1', 'c', NULL, 10,          0,   '2025-01-01', 'infinity',   NULL,         NULL,  false),
    ('infinite paid_on',       '1', 'c', NULL, 10,          0,   '2025-01-01', '2025-01-31', '-infinity',  NULL,  false),
    ('due before issue',       '1', 'c', NULL, 10,          0,   '2025-01-31', '2025-01-01', NULL,         NULL,  false),
    ('no currency',            '1', 'c', NULL, 10,          0,   '2025-01-01', '2025-01-31', NULL,         NULL,  false),
    ('unknown currency',       '1', 'c', NULL, 10,          0,   '2025-01-01', '2025-01-31', NULL,         'eur', false),
    ('negative, not credit',   '1', 'c', NULL, -10,         0,   '2025-01-01', '2025-01-31', NULL,         'EUR', false),
    ('no open amount',         '1', 'c', NULL, 10,          NULL, '2025-01-01', '2025-01-31', NULL,        'EUR', false)
  ) r(case_name, k, cust, owner, amt, pin, iss, due, pon, cur, credit);

-- A row's currency: blanks trimmed, ASCII letters upper-cased, the
-- default for NULL (and only for NULL: an empty code stays empty).
SELECT c AS code, arcollect.ledger_currency_of(c, 'CHF') AS with_default,
       arcollect.ledger_currency_of(c, NULL) AS without
  FROM (VALUES (' eur '), ('Usd'), ('éur'), (''), (NULL)) v(c);

-- The folding: ASCII letters only.
SELECT arcollect.ascii_lower('ANNULÉ Void') AS lower, arcollect.ascii_upper('crédit eur') AS upper;

-- Dating a change: its own date, or today, never before the issue date.
SELECT arcollect._effective_on(date '2025-03-01', date '2025-01-01') AS dated,
       arcollect._effective_on(date '2024-12-01', date '2025-01-01') AS before_issue,
       arcollect._effective_on(NULL, date '2025-01-01') = current_date AS undated_is_today,
       arcollect._effective_on(NULL, current_date + 10) = current_date + 10 AS future_issue;
