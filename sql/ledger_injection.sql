-- Identifiers and values from users cannot inject SQL: table and column
-- names with quotes, spaces, mixed case and SQL fragments either work or
-- are refused with a clean error, and never execute anything.
\set SHOW_CONTEXT never
SET datestyle = ISO;

CREATE TABLE victim (id integer);
INSERT INTO victim VALUES (1);

CREATE SCHEMA "My Schema";
CREATE TABLE "My Schema"."Bills; DROP TABLE victim; --" (
    "Key"                               text PRIMARY KEY,
    "Customer Name"                     text NOT NULL,
    "amt""x"                            numeric(12,2) NOT NULL,
    "issued); DROP TABLE victim; --"    date NOT NULL,
    "due date"                          date,
    "CURRENCY"                          text NOT NULL,
    "paid' OR '1'='1"                   numeric(12,2) NOT NULL DEFAULT 0,
    "$1"                                text
);
INSERT INTO "My Schema"."Bills; DROP TABLE victim; --" VALUES
    ('K''1', 'O''Brien; DROP TABLE victim; --', 100.00, '2025-01-01', '2025-01-31', 'EUR', 10.00, 'open');

-- Column names are given exactly as stored, without SQL quoting.
SELECT arcollect.attach('"My Schema"."Bills; DROP TABLE victim; --"',
                        key => 'Key', customer => 'Customer Name', amount => 'amt"x',
                        due_on => 'due date', issued_on => 'issued); DROP TABLE victim; --',
                        currency => 'CURRENCY', paid => 'paid'' OR ''1''=''1', status => '$1');
SELECT invoice_key, customer_id, amount, coalesce(oa.open_amount, 0) AS open_amount, status FROM arcollect.invoice i LEFT JOIN arcollect._open_amount oa USING (attachment_id, invoice_key)
 WHERE invoice_key = 'K''1';

-- Writes of every kind go through the trigger with these names.
INSERT INTO "My Schema"."Bills; DROP TABLE victim; --" VALUES
    ('K2', 'x''); DELETE FROM victim; --', 50.00, '2025-02-01', NULL, 'usd', 0, 'void'),
    ('K3', 'plain', 20.00, '2025-02-01', '2025-03-03', 'EUR''; DROP TABLE victim; --', 0, NULL);
UPDATE "My Schema"."Bills; DROP TABLE victim; --" SET "due date" = '2025-03-01' WHERE "Key" = 'K2';
UPDATE "My Schema"."Bills; DROP TABLE victim; --" SET "paid' OR '1'='1" = 100.00 WHERE "Key" = 'K''1';
DELETE FROM "My Schema"."Bills; DROP TABLE victim; --" WHERE "Key" = 'K3';
SELECT invoice_key, customer_id, currency, amount, coalesce(oa.open_amount, 0) AS open_amount, status, in_billing
  FROM arcollect.invoice i LEFT JOIN arcollect._open_amount oa USING (attachment_id, invoice_key)
 WHERE invoice_key IN ('K''1', 'K2', 'K3') ORDER BY invoice_key;
SELECT * FROM arcollect.reconcile('"My Schema"."Bills; DROP TABLE victim; --"');

-- Names written as SQL (quoted, or with a fragment appended) are not
-- column names: refused, nothing runs.
SELECT arcollect.attach('"My Schema"."Bills; DROP TABLE victim; --"',
                        key => '"Key"', customer => 'Customer Name', amount => 'amt"x',
                        due_on => 'due date', issued_on => 'issued); DROP TABLE victim; --',
                        currency => 'CURRENCY');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT arcollect.attach('"My Schema"."Bills; DROP TABLE victim; --"',
                        key => 'Key', customer => 'Customer Name', amount => 'amt"x',
                        due_on => 'due date', issued_on => 'issued_on) ; DROP TABLE victim; --',
                        currency => 'CURRENCY');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT arcollect.attach('victim; DROP TABLE victim', key => 'id', customer => 'id', amount => 'id',
                        due_on => 'id', issued_on => 'id', currency => 'id');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT arcollect.attach('"My Schema"."Bills; DROP TABLE victim; --"',
                        key => 'Key', customer => 'Customer Name', amount => 'amt"x',
                        due_on => 'due date', issued_on => 'issued); DROP TABLE victim; --',
                        default_currency => 'EUR''); DROP TABLE victim; --');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT arcollect.attach_payments('"My Schema"."Bills; DROP TABLE victim; --"',
                                 invoice_key => 'Key', amount => 'amt"x', paid_on => 'due date',
                                 kind => 'x'' OR 1=1 --');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- Status lists are values, compared as data.
SELECT arcollect.attach('"My Schema"."Bills; DROP TABLE victim; --"',
                        key => 'Key', customer => 'Customer Name', amount => 'amt"x',
                        due_on => 'due date', issued_on => 'issued); DROP TABLE victim; --',
                        currency => 'CURRENCY', paid => 'paid'' OR ''1''=''1', status => '$1',
                        void_statuses => ARRAY['void'');DROP TABLE victim;--', 'VOID']);
SELECT invoice_key, coalesce(oa.open_amount, 0) AS open_amount, in_billing FROM arcollect.invoice i LEFT JOIN arcollect._open_amount oa USING (attachment_id, invoice_key)
 WHERE invoice_key = 'K2';

-- The victim is still there, with its row.
SELECT * FROM victim;
