-- arcollect 0.1.0 as released: the install script generated at commit 33be7ae.
-- Frozen: never edit it; later changes reach 0.1.0 databases through the upgrade scripts.
\echo Use "CREATE EXTENSION arcollect" to load this file. \quit
-- Aging: days overdue, buckets, and the aging aggregate (src/aging.c).

CREATE FUNCTION arcollect.days_overdue(due_on date, as_of date)
RETURNS integer
AS 'MODULE_PATHNAME', 'arcollect_days_overdue'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.days_overdue(date, date) IS
'Days past due: as_of - due_on. Zero or negative means not yet overdue.';

CREATE FUNCTION arcollect.aging_bucket(due_on date, as_of date,
                                       bounds integer[] DEFAULT '{30,60,90}')
RETURNS text
AS 'MODULE_PATHNAME', 'arcollect_aging_bucket'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.aging_bucket(date, date, integer[]) IS
'Aging bucket label by days past due: current, 1-30, 31-60, 61-90, 91+ for the default bounds; a bound belongs to the bucket it closes.';

CREATE FUNCTION arcollect.aging_bucket_index(due_on date, as_of date,
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
CREATE FUNCTION arcollect.aging_transfn(internal, date, numeric, date)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_aging_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION arcollect.aging_transfn(internal, date, numeric, date, integer[])
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_aging_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION arcollect.aging_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_aging_combinefn'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION arcollect.aging_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'arcollect_aging_serialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION arcollect.aging_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_aging_deserialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION arcollect.aging_finalfn(internal)
RETURNS numeric[] AS 'MODULE_PATHNAME', 'arcollect_aging_finalfn'
LANGUAGE C STRICT PARALLEL SAFE;

-- Aggregates cannot have argument defaults, so the default bounds are a
-- second aggregate of the same name with one argument fewer.
CREATE AGGREGATE arcollect.aging(due_on date, open_amount numeric, as_of date) (
    SFUNC = arcollect.aging_transfn,
    STYPE = internal, SSPACE = 256,
    FINALFUNC = arcollect.aging_finalfn,
    COMBINEFUNC = arcollect.aging_combinefn,
    SERIALFUNC = arcollect.aging_serialize,
    DESERIALFUNC = arcollect.aging_deserialize,
    PARALLEL = SAFE
);

CREATE AGGREGATE arcollect.aging(due_on date, open_amount numeric, as_of date,
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
-- Trade payment index (src/payment_index.c).

CREATE FUNCTION arcollect.payment_index(days_beyond_terms numeric)
RETURNS integer
AS 'MODULE_PATHNAME', 'arcollect_payment_index'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.payment_index(numeric) IS
'Trade payment index 1-100: 100 at 30+ days early, 80 on terms, 50 at 30 days beyond, 20 at 120 beyond; linear between anchors, rounded; never below 1.';
-- Collection Effectiveness Index (src/cei.c).

CREATE FUNCTION arcollect.cei(beginning_ar numeric, credit_sales numeric,
                              ending_ar numeric, ending_current_ar numeric,
                              months integer DEFAULT 1)
RETURNS numeric
AS 'MODULE_PATHNAME', 'arcollect_cei'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.cei(numeric, numeric, numeric, numeric, integer) IS
'Collection Effectiveness Index in percent: (B + S/m - E) / (B + S/m - EC) * 100. NULL when the denominator is zero.';
-- Average payment delay and average days late (src/payment_delay.c).

CREATE FUNCTION arcollect.avg_payment_delay_transfn(internal, date, date, numeric)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_payment_delay_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION arcollect.avg_payment_delay_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_payment_delay_combinefn'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION arcollect.avg_payment_delay_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'arcollect_payment_delay_serialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION arcollect.avg_payment_delay_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_payment_delay_deserialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION arcollect.avg_payment_delay_finalfn(internal)
RETURNS numeric AS 'MODULE_PATHNAME', 'arcollect_payment_delay_finalfn'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE AGGREGATE arcollect.avg_payment_delay(due_on date, paid_on date, amount numeric) (
    SFUNC = arcollect.avg_payment_delay_transfn,
    STYPE = internal, SSPACE = 64,
    FINALFUNC = arcollect.avg_payment_delay_finalfn,
    COMBINEFUNC = arcollect.avg_payment_delay_combinefn,
    SERIALFUNC = arcollect.avg_payment_delay_serialize,
    DESERIALFUNC = arcollect.avg_payment_delay_deserialize,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE arcollect.avg_payment_delay(date, date, numeric) IS
'Amount-weighted mean of paid_on - due_on in days; early payment counts negative. NULL when the amounts add up to zero.';

CREATE FUNCTION arcollect.avg_days_late_transfn(internal, date, date)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_days_late_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION arcollect.avg_days_late_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_days_late_combinefn'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION arcollect.avg_days_late_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'arcollect_days_late_serialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION arcollect.avg_days_late_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_days_late_deserialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION arcollect.avg_days_late_finalfn(internal)
RETURNS numeric AS 'MODULE_PATHNAME', 'arcollect_days_late_finalfn'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE AGGREGATE arcollect.avg_days_late(due_on date, paid_on date) (
    SFUNC = arcollect.avg_days_late_transfn,
    STYPE = internal, SSPACE = 32,
    FINALFUNC = arcollect.avg_days_late_finalfn,
    COMBINEFUNC = arcollect.avg_days_late_combinefn,
    SERIALFUNC = arcollect.avg_days_late_serialize,
    DESERIALFUNC = arcollect.avg_days_late_deserialize,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE arcollect.avg_days_late(date, date) IS
'Plain mean of greatest(paid_on - due_on, 0) in days: early payment counts as 0 days late.';
-- Simple DSO and best possible DSO (src/dso.c).  Both share one state and
-- final function; each has a form with the default 90-day period.

CREATE FUNCTION arcollect.dso_transfn(internal, date, numeric, numeric, date)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_dso_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION arcollect.dso_transfn(internal, date, numeric, numeric, date, integer)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_dso_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION arcollect.best_possible_dso_transfn(internal, date, date, numeric, numeric, date)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_best_possible_dso_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION arcollect.best_possible_dso_transfn(internal, date, date, numeric, numeric, date, integer)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_best_possible_dso_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION arcollect.dso_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_dso_combinefn'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION arcollect.dso_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'arcollect_dso_serialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION arcollect.dso_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_dso_deserialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION arcollect.dso_finalfn(internal)
RETURNS numeric AS 'MODULE_PATHNAME', 'arcollect_dso_finalfn'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE AGGREGATE arcollect.dso(issued_on date, amount numeric, open_amount numeric,
                               as_of date) (
    SFUNC = arcollect.dso_transfn, STYPE = internal, SSPACE = 128,
    FINALFUNC = arcollect.dso_finalfn, COMBINEFUNC = arcollect.dso_combinefn,
    SERIALFUNC = arcollect.dso_serialize, DESERIALFUNC = arcollect.dso_deserialize,
    PARALLEL = SAFE
);

CREATE AGGREGATE arcollect.dso(issued_on date, amount numeric, open_amount numeric,
                               as_of date, period_days integer) (
    SFUNC = arcollect.dso_transfn, STYPE = internal, SSPACE = 128,
    FINALFUNC = arcollect.dso_finalfn, COMBINEFUNC = arcollect.dso_combinefn,
    SERIALFUNC = arcollect.dso_serialize, DESERIALFUNC = arcollect.dso_deserialize,
    PARALLEL = SAFE
);

CREATE AGGREGATE arcollect.best_possible_dso(issued_on date, due_on date, amount numeric,
                                             open_amount numeric, as_of date) (
    SFUNC = arcollect.best_possible_dso_transfn, STYPE = internal, SSPACE = 128,
    FINALFUNC = arcollect.dso_finalfn, COMBINEFUNC = arcollect.dso_combinefn,
    SERIALFUNC = arcollect.dso_serialize, DESERIALFUNC = arcollect.dso_deserialize,
    PARALLEL = SAFE
);

CREATE AGGREGATE arcollect.best_possible_dso(issued_on date, due_on date, amount numeric,
                                             open_amount numeric, as_of date,
                                             period_days integer) (
    SFUNC = arcollect.best_possible_dso_transfn, STYPE = internal, SSPACE = 128,
    FINALFUNC = arcollect.dso_finalfn, COMBINEFUNC = arcollect.dso_combinefn,
    SERIALFUNC = arcollect.dso_serialize, DESERIALFUNC = arcollect.dso_deserialize,
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
-- Countback DSO over calendar months (src/dso_countback.c).

CREATE FUNCTION arcollect.dso_countback_transfn(internal, date, numeric, numeric, date)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_dso_countback_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION arcollect.dso_countback_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_dso_countback_combinefn'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION arcollect.dso_countback_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'arcollect_dso_countback_serialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION arcollect.dso_countback_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_dso_countback_deserialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION arcollect.dso_countback_finalfn(internal)
RETURNS numeric AS 'MODULE_PATHNAME', 'arcollect_dso_countback_finalfn'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE AGGREGATE arcollect.dso_countback(issued_on date, amount numeric,
                                         open_amount numeric, as_of date) (
    SFUNC = arcollect.dso_countback_transfn, STYPE = internal, SSPACE = 640,
    FINALFUNC = arcollect.dso_countback_finalfn,
    COMBINEFUNC = arcollect.dso_countback_combinefn,
    SERIALFUNC = arcollect.dso_countback_serialize,
    DESERIALFUNC = arcollect.dso_countback_deserialize,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE arcollect.dso_countback(date, numeric, numeric, date) IS
'Countback DSO: receivables at as_of walked back against calendar-month credit sales, newest month first. 0 when nothing is owed; NULL when the receivables are older than the sales history.';
-- Explainable collection risk score (src/risk_score.c; formula in README).

CREATE FUNCTION arcollect.risk_score_transfn(internal, date, date, numeric, numeric, date)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_risk_score_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION arcollect.risk_score_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_risk_score_combinefn'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION arcollect.risk_score_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'arcollect_risk_score_serialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION arcollect.risk_score_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_risk_score_deserialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION arcollect.risk_score_finalfn(internal)
RETURNS numeric AS 'MODULE_PATHNAME', 'arcollect_risk_score_finalfn'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE AGGREGATE arcollect.risk_score(due_on date, paid_on date, amount numeric,
                                      open_amount numeric, as_of date) (
    SFUNC = arcollect.risk_score_transfn, STYPE = internal, SSPACE = 256,
    FINALFUNC = arcollect.risk_score_finalfn,
    COMBINEFUNC = arcollect.risk_score_combinefn,
    SERIALFUNC = arcollect.risk_score_serialize,
    DESERIALFUNC = arcollect.risk_score_deserialize,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE arcollect.risk_score(date, date, numeric, numeric, date) IS
'Collection risk 0-100 from invoice history: 35 x days late (full at 60) + 20 x share paid late + 20 x overdue share of balance + 25 x oldest overdue age (full at 120 days).';
-- Receivables ledger: attachments, invoices, the append-only history of
-- open-amount changes, and quarantine (src/ledger_trigger.c writes them).
--
-- The ledger is fed by triggers on the user's billing tables.  Each
-- billing or payments table attached with arcollect.attach or
-- arcollect.attach_payments is one row of arcollect.attachment.  The
-- current state of every invoice is one row of arcollect.invoice, which
-- also records how the invoice was first booked (booked_amount on
-- booked_on); every later change of its open amount is one row of
-- arcollect.entry.  The open amount at any past date is the booked amount
-- (once booked_on has passed) plus the entries effective by then.
--
-- The booking is kept in the invoice row rather than as an entry of its
-- own because almost every invoice is booked and never changed again
-- until it is paid: an entry row per new invoice would make the ledger
-- write a third more on every billing INSERT and COPY (bench/README.md).
--
-- The ledger tables carry no foreign keys to arcollect.attachment: a
-- foreign key costs a trigger event and a lookup per row, which a COPY of
-- millions of invoices cannot afford.  Only the trigger and attach write
-- them, and attachments are never deleted.

CREATE FUNCTION arcollect.is_currency_code(code text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'arcollect_is_currency_code'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.is_currency_code(text) IS
'True when code is a known ISO 4217 currency code (upper case, three letters).';

CREATE TABLE arcollect.attachment (
    attachment_id     integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    -- NULL once the table is dropped (see ledger_ddl.sql)
    billing_table     regclass,
    dropped_table_name text,
    kind              text NOT NULL CHECK (kind IN ('invoices', 'payments')),
    -- for a payments table: the invoices attachment its invoice keys refer to
    invoices_attachment_id integer REFERENCES arcollect.attachment,
    key_column        name,
    customer_column   name,
    amount_column     name NOT NULL,
    due_on_column     name,
    issued_on_column  name,
    currency_column   name,
    paid_column       name,
    open_column       name,
    owner_column      name,
    status_column     name,
    invoice_key_column name,
    paid_on_column    name,
    kind_column       name,
    default_currency  text CHECK (default_currency IS NULL
                                  OR arcollect.is_currency_code(default_currency)),
    void_statuses     text[] NOT NULL DEFAULT '{void,voided,cancelled,canceled}',
    credit_statuses   text[] NOT NULL DEFAULT '{credit,credit note,credit_note,credit memo,credit_memo}',
    strict_mode       boolean NOT NULL DEFAULT false,
    attached_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
    detached_at       timestamptz,
    CHECK (billing_table IS NOT NULL OR dropped_table_name IS NOT NULL AND detached_at IS NOT NULL),
    CHECK (kind = 'invoices' AND key_column IS NOT NULL AND customer_column IS NOT NULL
               AND due_on_column IS NOT NULL AND issued_on_column IS NOT NULL
               AND (paid_column IS NULL OR open_column IS NULL)
           OR kind = 'payments' AND invoice_key_column IS NOT NULL
               AND paid_on_column IS NOT NULL AND invoices_attachment_id IS NOT NULL)
);

CREATE UNIQUE INDEX attachment_table_key ON arcollect.attachment (billing_table);

COMMENT ON TABLE arcollect.attachment IS
'Billing and payments tables attached to the receivables ledger, with the column mapping their trigger uses. A detached table keeps its row (detached_at set) so that its history stays readable.';
COMMENT ON COLUMN arcollect.attachment.attachment_id IS 'Identifier of the attachment; ledger rows refer to it.';
COMMENT ON COLUMN arcollect.attachment.billing_table IS 'The attached table; NULL once it is dropped.';
COMMENT ON COLUMN arcollect.attachment.dropped_table_name IS 'Name the table had when it was dropped; its ledger rows stay.';
COMMENT ON COLUMN arcollect.attachment.kind IS 'invoices (a billing table, one row per invoice) or payments (one row per payment, credit note or write-off).';
COMMENT ON COLUMN arcollect.attachment.invoices_attachment_id IS 'For a payments table: the invoices attachment whose invoice keys its rows name.';
COMMENT ON COLUMN arcollect.attachment.key_column IS 'Invoices: column holding the invoice key (unique, not null).';
COMMENT ON COLUMN arcollect.attachment.customer_column IS 'Invoices: column holding the customer identifier.';
COMMENT ON COLUMN arcollect.attachment.amount_column IS 'Column holding the invoice amount (invoices) or the amount paid, credited or written off (payments).';
COMMENT ON COLUMN arcollect.attachment.due_on_column IS 'Invoices: column holding the due date.';
COMMENT ON COLUMN arcollect.attachment.issued_on_column IS 'Invoices: column holding the issue date.';
COMMENT ON COLUMN arcollect.attachment.currency_column IS 'Invoices: column holding the ISO 4217 currency code; NULL means every row is in default_currency.';
COMMENT ON COLUMN arcollect.attachment.paid_column IS 'Invoices: column holding the amount paid so far, if the billing table has one.';
COMMENT ON COLUMN arcollect.attachment.open_column IS 'Invoices: column holding the amount still open, if the billing table has one.';
COMMENT ON COLUMN arcollect.attachment.owner_column IS 'Invoices: column naming the collector or account manager, if any.';
COMMENT ON COLUMN arcollect.attachment.status_column IS 'Invoices: column holding the invoice status, if any; it marks voids and credit notes.';
COMMENT ON COLUMN arcollect.attachment.invoice_key_column IS 'Payments: column naming the invoice key a payment applies to.';
COMMENT ON COLUMN arcollect.attachment.paid_on_column IS 'Payments: column holding the date of the payment, credit note or write-off.';
COMMENT ON COLUMN arcollect.attachment.kind_column IS 'Payments: column saying payment, credit note or write-off; NULL means every row is a payment.';
COMMENT ON COLUMN arcollect.attachment.default_currency IS 'Currency of rows whose currency is not given.';
COMMENT ON COLUMN arcollect.attachment.void_statuses IS 'Status values (compared in lower case) that mark an invoice void: its open amount goes to zero.';
COMMENT ON COLUMN arcollect.attachment.credit_statuses IS 'Status values (compared in lower case) that mark a row as a credit note, which may have a negative amount.';
COMMENT ON COLUMN arcollect.attachment.strict_mode IS 'When true, a row arcollect cannot use makes the billing write fail instead of going to quarantine.';
COMMENT ON COLUMN arcollect.attachment.attached_at IS 'When the table was (last) attached.';
COMMENT ON COLUMN arcollect.attachment.detached_at IS 'When the table was detached; NULL while attached.';

CREATE TABLE arcollect.invoice (
    attachment_id   integer NOT NULL,
    invoice_key     text COLLATE "C" NOT NULL,
    customer_id     text COLLATE "C",
    currency        text,
    issued_on       date,
    due_on          date,
    amount          numeric NOT NULL DEFAULT 0,
    paid            numeric NOT NULL DEFAULT 0,
    void_amount     numeric NOT NULL DEFAULT 0,
    applied         numeric NOT NULL DEFAULT 0,
    open_amount     numeric NOT NULL DEFAULT 0,
    owner           text,
    status          text,
    in_billing      boolean NOT NULL DEFAULT false,
    booked_amount   numeric NOT NULL DEFAULT 0,
    booked_on       date,
    booked_at       timestamptz,
    -- key first: every lookup gives both columns, and a comparison that
    -- starts with the text usually ends there (most rows share one
    -- attachment), which makes each billing INSERT cheaper
    PRIMARY KEY (invoice_key, attachment_id)
);

-- Invoices the billing table does not (or no longer) hold: keys known only
-- from payments, deleted or quarantined invoices.  While an attachment has
-- none, a new billing key cannot be in the ledger yet, and the trigger's
-- fast path skips looking each one up (src/ledger_fastpath.c).
CREATE INDEX invoice_not_in_billing ON arcollect.invoice (attachment_id) WHERE NOT in_billing;

COMMENT ON TABLE arcollect.invoice IS
'Current state of every invoice in the ledger, one row per invoice key and attachment. open_amount = amount - paid + void_amount + applied, and always equals booked_amount plus the sum of the invoice''s rows in arcollect.entry.';
COMMENT ON COLUMN arcollect.invoice.attachment_id IS 'The billing table (attachment) the invoice comes from.';
COMMENT ON COLUMN arcollect.invoice.invoice_key IS 'The invoice key from the billing table, as text.';
COMMENT ON COLUMN arcollect.invoice.customer_id IS 'The customer, as text; see arcollect.customer.';
COMMENT ON COLUMN arcollect.invoice.currency IS 'ISO 4217 currency code.';
COMMENT ON COLUMN arcollect.invoice.issued_on IS 'Issue date; NULL for a key known only from payments.';
COMMENT ON COLUMN arcollect.invoice.due_on IS 'Due date.';
COMMENT ON COLUMN arcollect.invoice.amount IS 'Invoice amount as last booked from the billing table; negative for a credit note.';
COMMENT ON COLUMN arcollect.invoice.paid IS 'Amount paid as last booked from the billing table''s paid or open column.';
COMMENT ON COLUMN arcollect.invoice.void_amount IS 'Amount taken off by voids: minus the open billing amount while the invoice is void, deleted or quarantined, else 0.';
COMMENT ON COLUMN arcollect.invoice.applied IS 'Sum of the payments, credit notes and write-offs from attached payments tables (negative: they reduce the open amount).';
COMMENT ON COLUMN arcollect.invoice.open_amount IS 'Amount still open now; negative when overpaid.';
COMMENT ON COLUMN arcollect.invoice.owner IS 'Collector or account manager from the billing table, if mapped.';
COMMENT ON COLUMN arcollect.invoice.status IS 'Status from the billing table, if mapped.';
COMMENT ON COLUMN arcollect.invoice.in_billing IS 'True while a usable row with this key is in the billing table; false after a delete, while quarantined, or for a key known only from payments.';
COMMENT ON COLUMN arcollect.invoice.booked_amount IS 'Amount the invoice was first booked with (its first entry in the history, kind invoice or credit_note); 0 until the billing table has the invoice. Later changes are rows of arcollect.entry.';
COMMENT ON COLUMN arcollect.invoice.booked_on IS 'Date the booking takes effect: the issue date when the invoice was first booked; NULL for a key known only from payments.';
COMMENT ON COLUMN arcollect.invoice.booked_at IS 'When the invoice was first booked (transaction start time).';

CREATE TABLE arcollect.entry (
    -- no index: the entry table is only appended to and read in bulk, and
    -- every index would be paid for by every billing write
    entry_id        bigint GENERATED BY DEFAULT AS IDENTITY (CACHE 100),
    attachment_id   integer NOT NULL,
    invoice_key     text COLLATE "C" NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('payment', 'credit_note', 'write_off',
                                                  'void', 'adjustment')),
    amount          numeric NOT NULL,
    effective_on    date NOT NULL,
    source_attachment_id integer NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE arcollect.entry IS
'Append-only history: one row per change of an invoice''s open amount after its booking (which arcollect.invoice records). The open amount of an invoice at a date is its booked amount, once booked_on has passed, plus its entries effective on or before that date. The view arcollect.ledger_entries shows both.';
COMMENT ON COLUMN arcollect.entry.entry_id IS 'Order in which the ledger recorded the entries.';
COMMENT ON COLUMN arcollect.entry.attachment_id IS 'The invoices attachment of the invoice.';
COMMENT ON COLUMN arcollect.entry.invoice_key IS 'The invoice key, as text.';
COMMENT ON COLUMN arcollect.entry.kind IS 'What changed the open amount: payment, credit_note, write_off, void or adjustment (an invoice''s booking is in arcollect.invoice).';
COMMENT ON COLUMN arcollect.entry.amount IS 'Change of the open amount: positive raises it, negative lowers it (a payment).';
COMMENT ON COLUMN arcollect.entry.effective_on IS 'Date the change takes effect: the issue date for a corrected invoice amount, the paid_on date of a payment row, or the day arcollect saw a change the billing data does not date.';
COMMENT ON COLUMN arcollect.entry.source_attachment_id IS 'The attached table whose write produced the entry (the billing table or a payments table).';
COMMENT ON COLUMN arcollect.entry.recorded_at IS 'When the entry was written (transaction start time).';

CREATE TABLE arcollect.quarantine (
    quarantine_id   bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    attachment_id   integer NOT NULL,
    row_kind        text NOT NULL CHECK (row_kind IN ('invoice', 'payment')),
    invoice_key     text COLLATE "C",
    reason          text NOT NULL,
    row_data        jsonb NOT NULL,
    quarantined_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE UNIQUE INDEX quarantine_invoice_key ON arcollect.quarantine (attachment_id, invoice_key)
    WHERE row_kind = 'invoice';
CREATE INDEX quarantine_attachment ON arcollect.quarantine (attachment_id);

COMMENT ON TABLE arcollect.quarantine IS
'Billing and payment rows arcollect cannot use, with the reason. The billing write went through; the row leaves quarantine by itself once it is corrected or deleted in the billing table.';
COMMENT ON COLUMN arcollect.quarantine.quarantine_id IS 'Identifier of the quarantined row.';
COMMENT ON COLUMN arcollect.quarantine.attachment_id IS 'The attached table the row is in.';
COMMENT ON COLUMN arcollect.quarantine.row_kind IS 'invoice (a billing-table row) or payment (a payments-table row).';
COMMENT ON COLUMN arcollect.quarantine.invoice_key IS 'The invoice key of the row, as text, when it has one.';
COMMENT ON COLUMN arcollect.quarantine.reason IS 'Why the row was not used: missing_customer, missing_amount, invalid_amount, missing_issue_date, missing_due_date, due_before_issue, missing_currency, unknown_currency, negative_amount, missing_open_amount, missing_invoice_key, missing_paid_on or unknown_kind.';
COMMENT ON COLUMN arcollect.quarantine.row_data IS 'The whole billing row as it was written: a JSON object of its columns, each as text.';
COMMENT ON COLUMN arcollect.quarantine.quarantined_at IS 'When the row (last) went to quarantine.';

SELECT pg_catalog.pg_extension_config_dump('arcollect.attachment', '');
SELECT pg_catalog.pg_extension_config_dump('arcollect.attachment_attachment_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('arcollect.invoice', '');
SELECT pg_catalog.pg_extension_config_dump('arcollect.entry', '');
SELECT pg_catalog.pg_extension_config_dump('arcollect.entry_entry_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('arcollect.quarantine', '');
SELECT pg_catalog.pg_extension_config_dump('arcollect.quarantine_quarantine_id_seq', '');
-- Customers of the receivables ledger.  The billing-table trigger creates a
-- customer the first time an invoice names it; users then edit the row
-- (owner, segment, credit limit, contact rules), and the trigger never
-- overwrites what they set.

CREATE FUNCTION arcollect.is_time_zone(zone text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'arcollect_is_time_zone'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.is_time_zone(text) IS
'True when zone is a time zone name PostgreSQL knows, such as Europe/Paris or UTC (see pg_timezone_names).';

CREATE TABLE arcollect.customer (
    customer_id        text COLLATE "C" PRIMARY KEY,
    name               text,
    owner              text,
    segment            text,
    credit_limit       numeric CHECK (credit_limit >= 0),
    time_zone          text NOT NULL DEFAULT 'UTC'
                       CONSTRAINT customer_time_zone_known CHECK (arcollect.is_time_zone(time_zone)),
    do_not_contact     boolean NOT NULL DEFAULT false,
    opt_out_channels   text[] NOT NULL DEFAULT '{}'
                       CONSTRAINT customer_opt_out_channels_known
                       CHECK (opt_out_channels <@ '{email,call,sms,letter,portal,meeting}'::text[]),
    escalation_policy  text,
    first_seen_attachment_id integer,
    created_at         timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE INDEX customer_owner ON arcollect.customer (owner);

COMMENT ON TABLE arcollect.customer IS
'Customers with their collection settings. Created from the billing data the first time an invoice names the customer; edit the settings freely, arcollect does not overwrite them.';
COMMENT ON COLUMN arcollect.customer.customer_id IS 'The customer identifier from the billing table, as text.';
COMMENT ON COLUMN arcollect.customer.name IS 'Display name of the customer.';
COMMENT ON COLUMN arcollect.customer.owner IS 'Collector or account manager responsible for the customer.';
COMMENT ON COLUMN arcollect.customer.segment IS 'Customer segment, free text (for example enterprise, smb); escalation policies can follow it.';
COMMENT ON COLUMN arcollect.customer.credit_limit IS 'Credit limit in the customer''s currency; NULL means none set.';
COMMENT ON COLUMN arcollect.customer.time_zone IS 'The customer''s time zone (a name from pg_timezone_names), for contact windows.';
COMMENT ON COLUMN arcollect.customer.do_not_contact IS 'When true, no touchpoint is planned for this customer on any channel.';
COMMENT ON COLUMN arcollect.customer.opt_out_channels IS 'Channels the customer opted out of: any of email, call, sms, letter, portal, meeting.';
COMMENT ON COLUMN arcollect.customer.escalation_policy IS 'Name of the escalation policy that applies; NULL means the default policy.';
COMMENT ON COLUMN arcollect.customer.first_seen_attachment_id IS 'The attached billing table the customer was first seen in.';
COMMENT ON COLUMN arcollect.customer.created_at IS 'When the customer row was created.';

SELECT pg_catalog.pg_extension_config_dump('arcollect.customer', '');
-- Quarantine: the reasons a billing or payments row can be refused, in
-- words for messages and reports.  The rows themselves are in
-- arcollect.quarantine (ledger_tables.sql).

CREATE FUNCTION arcollect.quarantine_reason_text(reason text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE reason
    WHEN 'missing_customer' THEN 'the customer is missing'
    WHEN 'missing_amount' THEN 'the amount is missing'
    WHEN 'invalid_amount' THEN 'an amount is NaN or infinite'
    WHEN 'missing_issue_date' THEN 'the issue date is missing'
    WHEN 'missing_due_date' THEN 'the due date is missing'
    WHEN 'due_before_issue' THEN 'the due date is before the issue date'
    WHEN 'missing_currency' THEN 'the currency is missing'
    WHEN 'unknown_currency' THEN 'the currency is not an ISO 4217 code'
    WHEN 'negative_amount' THEN 'the amount is negative but the row is not a credit note'
    WHEN 'missing_open_amount' THEN 'the open amount is missing'
    WHEN 'missing_invoice_key' THEN 'the invoice key is missing'
    WHEN 'missing_paid_on' THEN 'the payment date is missing'
    WHEN 'unknown_kind' THEN 'the kind is not payment, credit note or write-off'
    ELSE reason
END;

COMMENT ON FUNCTION arcollect.quarantine_reason_text(text) IS
'The quarantine reason code in words, for messages and reports.';

CREATE VIEW arcollect.quarantined_rows AS
SELECT q.quarantine_id,
       coalesce(a.billing_table::text, a.dropped_table_name) AS table_name,
       q.row_kind,
       q.invoice_key,
       q.reason,
       arcollect.quarantine_reason_text(q.reason) AS reason_text,
       q.row_data,
       q.quarantined_at
  FROM arcollect.quarantine q
  JOIN arcollect.attachment a ON a.attachment_id = q.attachment_id;

COMMENT ON VIEW arcollect.quarantined_rows IS
'Billing and payment rows arcollect could not use, with the table they are in and the reason in words.';
COMMENT ON COLUMN arcollect.quarantined_rows.quarantine_id IS 'Identifier of the quarantined row.';
COMMENT ON COLUMN arcollect.quarantined_rows.table_name IS 'The attached table the row is in.';
COMMENT ON COLUMN arcollect.quarantined_rows.row_kind IS 'invoice (a billing-table row) or payment (a payments-table row).';
COMMENT ON COLUMN arcollect.quarantined_rows.invoice_key IS 'The invoice key of the row, when it has one.';
COMMENT ON COLUMN arcollect.quarantined_rows.reason IS 'Reason code, for filtering.';
COMMENT ON COLUMN arcollect.quarantined_rows.reason_text IS 'Why the row was not used, in words.';
COMMENT ON COLUMN arcollect.quarantined_rows.row_data IS 'The row as it was written, as JSON.';
COMMENT ON COLUMN arcollect.quarantined_rows.quarantined_at IS 'When the row went to quarantine.';
-- How billing rows become ledger rows: the SQL that the C trigger
-- (src/ledger_trigger.c), arcollect.attach and arcollect.reconcile run.
--
-- The statements are generated here, once per attachment and event, from
-- the column mapping in arcollect.attachment: every column name goes
-- through format('%I'), every value is a $n parameter.  The trigger
-- prepares the text once per backend and runs it once per statement, with
-- the statement's transition tables registered as arcollect_new and
-- arcollect_old.  Parameters of every statement:
--   $1 integer  the attachment being synced
--   $2 integer  the invoices attachment whose ledger rows it writes
--               (itself for a billing table)
--   $3 text     default currency
--   $4 text[]   status values meaning void
--   $5 text[]   status values meaning credit note
-- Every statement returns one row: rows seen, rows quarantined, and the
-- key and reason of the first quarantined row.
--
-- Dating rule: a change is dated by the billing data when it can be
-- (the issue date of an invoice, the paid_on date of a payment, also when
-- it is corrected or deleted later); changes the billing data does not
-- date (the paid or open column, a void status, a deleted or quarantined
-- invoice) are dated the day arcollect sees them, never before the issue
-- date.

-- The type a domain is over (through domains over domains); other types
-- are their own base.
CREATE FUNCTION arcollect._base_type(t oid)
RETURNS oid
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH RECURSIVE d(oid, base) AS (
        SELECT y.oid, y.typbasetype FROM pg_catalog.pg_type y WHERE y.oid = t
        UNION ALL
        SELECT y.oid, y.typbasetype FROM pg_catalog.pg_type y JOIN d ON y.oid = d.base
         WHERE d.base <> 0)
    SELECT d.oid FROM d WHERE d.base = 0;
END;

-- How the generated SQL reads column col of table tbl (under alias) as
-- text.  A built-in type by its cast to text, as col::text would.  A type
-- defined in the database by its output function instead: its owner may
-- have given it a cast to text, a function that the trigger, which runs
-- with arcollect's rights, must not run.  (The fast path in C reads
-- columns the same way.)
CREATE FUNCTION arcollect._text_sql(tbl regclass, col name, alias text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT CASE WHEN y.oid < 16384    -- FirstNormalObjectId: built in
                THEN format('(%s.%I)::text', alias, col)
                ELSE format('pg_catalog.textin(%s(%s.%I))', y.typoutput::regproc, alias, col)
           END
      FROM pg_catalog.pg_attribute t
      JOIN pg_catalog.pg_type y ON y.oid = arcollect._base_type(t.atttypid)
     WHERE t.attrelid = tbl AND t.attname = col;
END;

-- A whole row of tbl (under alias) as a jsonb object of its columns as
-- text (see _text_sql: no cast to json of the row's types is run), for
-- quarantine.  jsonb_build_object takes at most 100 arguments, so wide
-- rows are built 50 columns at a time.
CREATE FUNCTION arcollect._row_json_sql(tbl regclass, alias text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT string_agg(c.chunk, ' || ' ORDER BY c.n)
      FROM (SELECT a.n, 'pg_catalog.jsonb_build_object('
                        || string_agg(format('%L, %s', a.attname, arcollect._text_sql(tbl, a.attname, alias)),
                                      ', ' ORDER BY a.attnum) || ')' AS chunk
              FROM (SELECT t.attname, t.attnum, (row_number() OVER (ORDER BY t.attnum) - 1) / 50 AS n
                      FROM pg_catalog.pg_attribute t
                     WHERE t.attrelid = tbl AND t.attnum > 0 AND NOT t.attisdropped) a
             GROUP BY a.n) c;
END;

-- The mapped rows of an invoices attachment read from source (a
-- transition table name or the quoted billing table): one row per source
-- row with the invoice fields as ledger types and the quarantine reason,
-- NULL for a usable row.  The whole row (for quarantine) is not carried
-- along: building a row value for every row of a COPY doubles the cost of
-- reading it; see _quarantine_rows_sql.
CREATE FUNCTION arcollect._invoice_rows_sql(a arcollect.attachment, source text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    -- upper and lower in the "C" collation: ASCII letters only, as in C
    cur_expr text := CASE WHEN a.currency_column IS NULL THEN '$3'
                          ELSE format('coalesce(upper(btrim(%s) COLLATE "C"), $3)',
                                      arcollect._text_sql(a.billing_table, a.currency_column, 's')) END;
    paid_expr text := CASE WHEN a.paid_column IS NOT NULL
                               THEN format('coalesce((s.%I)::numeric, 0)', a.paid_column)
                           WHEN a.open_column IS NOT NULL
                               THEN format('(s.%I)::numeric - (s.%I)::numeric', a.amount_column, a.open_column)
                           ELSE '0::numeric' END;
    status_expr text := CASE WHEN a.status_column IS NULL THEN 'NULL::text'
                             ELSE arcollect._text_sql(a.billing_table, a.status_column, 's') END;
    owner_expr text := CASE WHEN a.owner_column IS NULL THEN 'NULL::text'
                            ELSE arcollect._text_sql(a.billing_table, a.owner_column, 's') END;
    open_check text := CASE WHEN a.open_column IS NULL THEN ''
                            ELSE 'WHEN v.paid IS NULL THEN ''missing_open_amount'' ' END;
BEGIN
    RETURN format(
        $q$SELECT w.k, w.cust, w.cur, w.iss, w.due, w.amt, w.paid, w.owner, w.status,
       w.is_void, w.is_credit, w.reason
  FROM (SELECT v.*,
               CASE WHEN v.cust IS NULL THEN 'missing_customer'
                    WHEN v.amt IS NULL THEN 'missing_amount'
                    WHEN v.amt IN ('NaN', 'Infinity', '-Infinity')
                      OR v.paid IN ('NaN', 'Infinity', '-Infinity') THEN 'invalid_amount'
                    WHEN v.iss IS NULL THEN 'missing_issue_date'
                    WHEN v.due IS NULL THEN 'missing_due_date'
                    WHEN v.due < v.iss THEN 'due_before_issue'
                    WHEN v.cur IS NULL THEN 'missing_currency'
                    WHEN NOT arcollect.is_currency_code(v.cur) THEN 'unknown_currency'
                    WHEN v.amt < 0 AND NOT v.is_credit THEN 'negative_amount'
                    %s
               END AS reason
          FROM (SELECT %s COLLATE "C" AS k,
                       %s COLLATE "C" AS cust,
                       %s AS cur,
                       (s.%I)::date AS iss,
                       (s.%I)::date AS due,
                       (s.%I)::numeric AS amt,
                       %s AS paid,
                       %s AS owner,
                       %s AS status,
                       coalesce(lower(%s COLLATE "C") = ANY ($4), false) AS is_void,
                       coalesce(lower(%s COLLATE "C") = ANY ($5), false) AS is_credit
                  FROM %s s) v) w$q$,
        open_check,
        arcollect._text_sql(a.billing_table, a.key_column, 's'),
        arcollect._text_sql(a.billing_table, a.customer_column, 's'), cur_expr, a.issued_on_column,
        a.due_on_column, a.amount_column, paid_expr, owner_expr, status_expr,
        status_expr, status_expr, source);
END
$fn$;

-- The unusable rows of an invoices attachment as quarantine rows, given
-- the mapped rows in CTE src: looked up again in source by key, and only
-- when there are any (the EXISTS is evaluated once, before the scan).
CREATE FUNCTION arcollect._quarantine_rows_sql(a arcollect.attachment, source text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN format(
    $q$SELECT $1, 'invoice', b.k, b.reason, %s
  FROM %s s
  JOIN (SELECT src.k, src.reason FROM src WHERE src.reason IS NOT NULL) b
    ON b.k = %s COLLATE "C"
 WHERE EXISTS (SELECT FROM src WHERE src.reason IS NOT NULL)$q$,
    arcollect._row_json_sql(a.billing_table, 's'), source,
    arcollect._text_sql(a.billing_table, a.key_column, 's'));

-- The mapped rows of a payments attachment read from source: invoice key,
-- the amount, the date, the kind (payment, credit_note or write_off) and
-- the quarantine reason.
CREATE FUNCTION arcollect._payment_rows_sql(a arcollect.attachment, source text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    kind_expr text := CASE WHEN a.kind_column IS NULL THEN '''payment'''
                           ELSE format(
        $k$CASE translate(lower(%s COLLATE "C"), ' -_', '')
               WHEN 'payment' THEN 'payment' WHEN 'pay' THEN 'payment'
               WHEN 'receipt' THEN 'payment' WHEN 'cash' THEN 'payment'
               WHEN 'creditnote' THEN 'credit_note' WHEN 'credit' THEN 'credit_note'
               WHEN 'creditmemo' THEN 'credit_note'
               WHEN 'writeoff' THEN 'write_off' WHEN 'baddebt' THEN 'write_off'
               ELSE CASE WHEN (s.%I) IS NULL THEN 'payment' END
           END$k$, arcollect._text_sql(a.billing_table, a.kind_column, 's'), a.kind_column) END;
BEGIN
    RETURN format(
        $q$SELECT w.k, w.amt, w.pon, w.kind, w.reason,
       CASE WHEN w.reason IS NULL THEN NULL ELSE %s END AS row_data
  FROM (SELECT v.*,
               CASE WHEN v.k IS NULL THEN 'missing_invoice_key'
                    WHEN v.amt IS NULL THEN 'missing_amount'
                    WHEN v.amt IN ('NaN', 'Infinity', '-Infinity') THEN 'invalid_amount'
                    WHEN v.pon IS NULL THEN 'missing_paid_on'
                    WHEN v.kind IS NULL THEN 'unknown_kind'
               END AS reason
          FROM (SELECT %s COLLATE "C" AS k,
                       (s.%I)::numeric AS amt,
                       (s.%I)::date AS pon,
                       %s AS kind,
                       s AS r
                  FROM %s s) v) w$q$,
        arcollect._row_json_sql(a.billing_table, '(w.r)'),
        arcollect._text_sql(a.billing_table, a.invoice_key_column, 's'),
        a.amount_column, a.paid_on_column, kind_expr, source);
END
$fn$;

-- The statement that brings the ledger in line with one event on an
-- attached table.  event is INSERT, UPDATE, DELETE, TRUNCATE (the trigger
-- events) or IMPORT (attach: the whole table).  (New invoices inserted
-- into a billing table are mostly booked by the trigger's fast path in C,
-- src/ledger_fastpath.c; the INSERT statement books what it leaves.)
--
-- TRUNCATE is booked as IMPORT, by comparing the ledger with what is left
-- in the table: the table may be partitioned and only one partition
-- truncated.  For a payments table, whose rows have no key of their own,
-- the trigger first takes back everything the table booked
-- (arcollect._payments_clear), as attach_payments does.
CREATE FUNCTION arcollect._sync_sql(attachment_id integer, event text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    a arcollect.attachment;
    new_source text;
    new_rows text;
    old_keys text;
BEGIN
    SELECT * INTO a FROM arcollect.attachment t WHERE t.attachment_id = _sync_sql.attachment_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'attachment % does not exist', attachment_id
            USING ERRCODE = 'undefined_object';
    END IF;
    IF event NOT IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'IMPORT') THEN
        RAISE EXCEPTION 'unknown ledger event "%"', event
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    IF event = 'TRUNCATE' THEN
        event := 'IMPORT';
    END IF;

    IF a.kind = 'payments' THEN
        RETURN format(
            $q$WITH n AS MATERIALIZED (%s),
     o AS MATERIALIZED (%s),
     mv AS (SELECT n.k, n.kind, n.pon, -n.amt AS amount FROM n WHERE n.reason IS NULL
            UNION ALL
            SELECT o.k, o.kind, o.pon, o.amt FROM o WHERE o.reason IS NULL),
     net AS (SELECT mv.k, mv.kind, mv.pon, sum(mv.amount) AS amount
               FROM mv GROUP BY mv.k, mv.kind, mv.pon),
     ent AS (INSERT INTO arcollect.entry (attachment_id, invoice_key, kind, amount, effective_on, source_attachment_id)
             SELECT $2, net.k, net.kind, net.amount, net.pon, $1 FROM net WHERE net.amount <> 0),
     up AS (INSERT INTO arcollect.invoice AS i (attachment_id, invoice_key, applied, open_amount)
            SELECT $2, net.k, sum(net.amount), sum(net.amount) FROM net GROUP BY net.k HAVING sum(net.amount) <> 0
            ON CONFLICT (attachment_id, invoice_key) DO UPDATE
               SET applied = i.applied + excluded.applied,
                   open_amount = i.open_amount + excluded.applied),
     qdel AS (DELETE FROM arcollect.quarantine q
               WHERE q.quarantine_id IN (
                     SELECT x.quarantine_id
                       FROM (SELECT q2.quarantine_id, q2.row_data,
                                    row_number() OVER (PARTITION BY q2.row_data ORDER BY q2.quarantine_id) AS rn
                               FROM arcollect.quarantine q2
                              WHERE q2.attachment_id = $1 AND q2.row_kind = 'payment'
                                AND q2.row_data IN (SELECT o.row_data FROM o WHERE o.reason IS NOT NULL)) x
                       JOIN (SELECT o.row_data, count(*) AS c FROM o WHERE o.reason IS NOT NULL
                              GROUP BY o.row_data) y
                         ON y.row_data = x.row_data AND x.rn <= y.c)),
     qins AS (INSERT INTO arcollect.quarantine (attachment_id, row_kind, invoice_key, reason, row_data)
              SELECT $1, 'payment', n.k, n.reason, n.row_data FROM n WHERE n.reason IS NOT NULL)
SELECT count(*) AS rows_seen, count(*) FILTER (WHERE n.reason IS NOT NULL) AS rows_quarantined,
       (SELECT f.k FROM n f WHERE f.reason IS NOT NULL LIMIT 1) AS first_key,
       (SELECT f.reason FROM n f WHERE f.reason IS NOT NULL LIMIT 1) AS first_reason
  FROM n$q$,
            arcollect._payment_rows_sql(a, CASE WHEN event IN ('INSERT', 'UPDATE') THEN 'arcollect_new'
                                                WHEN event = 'IMPORT' THEN a.billing_table::text
                                                ELSE '(SELECT * FROM ' || a.billing_table::text || ' WHERE false)' END),
            arcollect._payment_rows_sql(a, CASE WHEN event IN ('DELETE', 'UPDATE') THEN 'arcollect_old'
                                                ELSE '(SELECT * FROM ' || a.billing_table::text || ' WHERE false)' END));
    END IF;

    -- An invoices attachment: the state of every touched key is compared
    -- with the ledger's and the difference booked.
    new_source := CASE event
        WHEN 'INSERT' THEN 'arcollect_new'
        WHEN 'UPDATE' THEN 'arcollect_new'
        WHEN 'IMPORT' THEN a.billing_table::text
        ELSE '(SELECT * FROM ' || a.billing_table::text || ' WHERE false)'
    END;
    new_rows := arcollect._invoice_rows_sql(a, new_source);
    old_keys := CASE event
        WHEN 'INSERT' THEN ''
        WHEN 'UPDATE' THEN format('UNION SELECT %s COLLATE "C" FROM arcollect_old o',
                                  arcollect._text_sql(a.billing_table, a.key_column, 'o'))
        WHEN 'DELETE' THEN format('UNION SELECT %s COLLATE "C" FROM arcollect_old o',
                                  arcollect._text_sql(a.billing_table, a.key_column, 'o'))
        ELSE $k$UNION SELECT i.invoice_key FROM arcollect.invoice i WHERE i.attachment_id = $1 AND i.in_billing
                UNION SELECT q.invoice_key FROM arcollect.quarantine q
                 WHERE q.attachment_id = $1 AND q.row_kind = 'invoice'$k$
    END;

    RETURN format(
        $q$WITH src AS MATERIALIZED (%s),
     touched AS (SELECT src.k FROM src %s),
     cur AS (SELECT i.invoice_key, i.customer_id, i.currency, i.issued_on, i.due_on, i.amount,
                    i.paid, i.void_amount, i.applied, i.owner, i.status, i.in_billing, i.booked_on
               FROM arcollect.invoice i
              WHERE i.attachment_id = $1 AND i.invoice_key IN (SELECT touched.k FROM touched)
                FOR UPDATE OF i),
     d AS (SELECT coalesce(v.k, c.invoice_key) AS k,
                  v.k IS NOT NULL AS present,
                  c.invoice_key IS NOT NULL AS known,
                  c.booked_on IS NOT NULL AS booked,
                  c.amount AS o_amt, c.issued_on AS o_iss,
                  coalesce(c.paid, 0) AS o_paid, coalesce(c.void_amount, 0) AS o_void,
                  coalesce(c.applied, 0) AS applied,
                  CASE WHEN v.k IS NOT NULL THEN v.amt ELSE coalesce(c.amount, 0) END AS n_amt,
                  CASE WHEN v.k IS NOT NULL THEN v.iss ELSE c.issued_on END AS n_iss,
                  CASE WHEN v.k IS NOT NULL THEN v.paid ELSE coalesce(c.paid, 0) END AS n_paid,
                  CASE WHEN v.k IS NULL THEN coalesce(c.paid - c.amount, 0)
                       WHEN v.is_void THEN v.paid - v.amt
                       ELSE 0 END AS n_void,
                  CASE WHEN v.k IS NOT NULL THEN v.cust ELSE c.customer_id END AS cust,
                  CASE WHEN v.k IS NOT NULL THEN v.cur ELSE c.currency END AS cur,
                  CASE WHEN v.k IS NOT NULL THEN v.due ELSE c.due_on END AS due,
                  CASE WHEN v.k IS NOT NULL THEN v.owner ELSE c.owner END AS owner,
                  CASE WHEN v.k IS NOT NULL THEN v.status ELSE c.status END AS status,
                  c.customer_id AS o_cust, c.currency AS o_cur, c.due_on AS o_due,
                  c.owner AS o_owner, c.status AS o_status, c.in_billing AS o_in_billing
             FROM (SELECT * FROM src WHERE src.reason IS NULL) v
             FULL JOIN cur c ON c.invoice_key = v.k),
     ent AS (INSERT INTO arcollect.entry (attachment_id, invoice_key, kind, amount, effective_on, source_attachment_id)
             SELECT $1, d.k, e.kind, e.amount, e.effective_on, $1
               FROM d CROSS JOIN LATERAL (VALUES
                    -- (a first booking is kept in the invoice row instead)
                    ('adjustment',
                     CASE WHEN NOT d.booked THEN 0
                          WHEN d.o_iss <> d.n_iss THEN d.n_amt
                          ELSE d.n_amt - d.o_amt END,
                     d.n_iss),
                    ('adjustment',
                     CASE WHEN d.booked AND d.o_iss <> d.n_iss THEN -d.o_amt ELSE 0 END,
                     d.o_iss),
                    ('payment', d.o_paid - d.n_paid, greatest(current_date, d.n_iss)),
                    ('void', d.n_void - d.o_void, greatest(current_date, d.n_iss))
                    ) e(kind, amount, effective_on)
              WHERE e.amount <> 0),
     up AS (INSERT INTO arcollect.invoice AS i
                   (attachment_id, invoice_key, customer_id, currency, issued_on, due_on, amount, paid,
                    void_amount, applied, open_amount, owner, status, in_billing,
                    booked_amount, booked_on, booked_at)
            SELECT $1, d.k, d.cust, d.cur, d.n_iss, d.due, d.n_amt, d.n_paid, d.n_void, d.applied,
                   d.n_amt - d.n_paid + d.n_void + d.applied, d.owner, d.status, d.present,
                   CASE WHEN d.present THEN d.n_amt ELSE 0 END,
                   CASE WHEN d.present THEN d.n_iss END,
                   CASE WHEN d.present THEN now() END
              FROM d
             WHERE NOT d.known
                OR (d.cust, d.cur, d.n_iss, d.due, d.n_amt, d.n_paid, d.n_void, d.owner, d.status, d.present)
                   IS DISTINCT FROM
                   (d.o_cust, d.o_cur, d.o_iss, d.o_due, d.o_amt, d.o_paid, d.o_void, d.o_owner, d.o_status, d.o_in_billing)
            ON CONFLICT (attachment_id, invoice_key) DO UPDATE
               SET customer_id = excluded.customer_id, currency = excluded.currency,
                   issued_on = excluded.issued_on, due_on = excluded.due_on,
                   amount = excluded.amount, paid = excluded.paid, void_amount = excluded.void_amount,
                   open_amount = excluded.amount - excluded.paid + excluded.void_amount + i.applied,
                   owner = excluded.owner, status = excluded.status,
                   in_billing = excluded.in_billing,
                   -- the first booking of a key known before only from payments
                   booked_amount = CASE WHEN i.booked_on IS NULL THEN excluded.booked_amount
                                        ELSE i.booked_amount END,
                   booked_at = CASE WHEN i.booked_on IS NULL THEN excluded.booked_at
                                    ELSE i.booked_at END,
                   booked_on = coalesce(i.booked_on, excluded.booked_on)),
     %s
     qins AS (INSERT INTO arcollect.quarantine AS q (attachment_id, row_kind, invoice_key, reason, row_data)
              %s
              ON CONFLICT (attachment_id, invoice_key) WHERE row_kind = 'invoice' DO UPDATE
                 SET reason = excluded.reason, row_data = excluded.row_data,
                     quarantined_at = excluded.quarantined_at),
     cust AS (INSERT INTO arcollect.customer (customer_id, owner, first_seen_attachment_id)
              SELECT src.cust, min(src.owner COLLATE "C"), $1
                FROM src
               WHERE src.reason IS NULL
                 AND NOT EXISTS (SELECT FROM arcollect.customer c WHERE c.customer_id = src.cust)
               GROUP BY src.cust
              ON CONFLICT (customer_id) DO NOTHING)
SELECT count(*) AS rows_seen, count(*) FILTER (WHERE src.reason IS NOT NULL) AS rows_quarantined,
       (SELECT f.k FROM src f WHERE f.reason IS NOT NULL LIMIT 1) AS first_key,
       (SELECT f.reason FROM src f WHERE f.reason IS NOT NULL LIMIT 1) AS first_reason
  FROM src$q$,
        new_rows, old_keys,
        -- a freshly inserted key cannot be in quarantine already
        CASE WHEN event = 'INSERT' THEN '' ELSE
        $d$qdel AS (DELETE FROM arcollect.quarantine q
               WHERE q.attachment_id = $1 AND q.row_kind = 'invoice'
                 AND q.invoice_key IN (SELECT touched.k FROM touched
                                       EXCEPT SELECT src.k FROM src WHERE src.reason IS NOT NULL)),$d$
        END,
        arcollect._quarantine_rows_sql(a, new_source));
END
$fn$;

-- Takes back everything a payments table booked (entries, applied amounts
-- and quarantine), for TRUNCATE and for attaching the table again.
-- Returns true so that the sync statement can wait for it.
CREATE FUNCTION arcollect._payments_clear(payments_attachment_id integer)
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    WITH net AS (
        SELECT e.attachment_id, e.invoice_key, e.kind, e.effective_on, sum(e.amount) AS amount
          FROM arcollect.entry e
         WHERE e.source_attachment_id = payments_attachment_id
         GROUP BY e.attachment_id, e.invoice_key, e.kind, e.effective_on
        HAVING sum(e.amount) <> 0),
    ent AS (
        INSERT INTO arcollect.entry (attachment_id, invoice_key, kind, amount, effective_on, source_attachment_id)
        SELECT net.attachment_id, net.invoice_key, net.kind, -net.amount, net.effective_on, payments_attachment_id
          FROM net)
    UPDATE arcollect.invoice i
       SET applied = i.applied - x.amount, open_amount = i.open_amount - x.amount
      FROM (SELECT net.attachment_id, net.invoice_key, sum(net.amount) AS amount
              FROM net GROUP BY 1, 2) x
     WHERE i.attachment_id = x.attachment_id AND i.invoice_key = x.invoice_key;

    DELETE FROM arcollect.quarantine q WHERE q.attachment_id = payments_attachment_id;
    RETURN true;
END
$fn$;

CREATE FUNCTION arcollect.ledger_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'arcollect_ledger_trigger'
LANGUAGE C;
-- Not SECURITY DEFINER: the function switches to its owner's rights and
-- pins search_path itself, more cheaply (see src/ledger_trigger.c).

COMMENT ON FUNCTION arcollect.ledger_trigger() IS
'Statement-level AFTER trigger that arcollect.attach and arcollect.attach_payments install on attached tables; keeps the receivables ledger in line with every INSERT, UPDATE, DELETE, COPY and TRUNCATE.';
-- Attaching and detaching billing and payments tables.
--
-- attach, attach_payments and detach run with the caller's rights, so
-- creating or dropping the trigger needs the caller's own privilege on the
-- table (owner or TRIGGER).  Only the ledger writes go through the
-- SECURITY DEFINER helpers below, which refuse to work on a table unless
-- the caller has just put arcollect's triggers on it (or taken them off).

-- The base types a mapping parameter accepts (domains over them are
-- fine), or NULL for any type.
CREATE FUNCTION arcollect._mapping_types(param text)
RETURNS text[]
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
RETURN CASE
    WHEN param IN ('amount', 'paid', 'open') THEN '{numeric,smallint,integer,bigint}'::text[]
    WHEN param IN ('due_on', 'issued_on', 'paid_on')
        THEN '{date,timestamp without time zone,timestamp with time zone}'::text[]
    WHEN param = 'currency' THEN '{text,character varying,character}'::text[]
END;

-- What is wrong with column col of table tbl as the mapping parameter
-- param: NULL when it exists and has a type the parameter accepts, else
-- an error message, SQLSTATE, detail and hint.
CREATE FUNCTION arcollect._column_problem(tbl regclass, param text, col text,
                                          OUT message text, OUT sqlstate text,
                                          OUT detail text, OUT hint text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    allowed text[] := arcollect._mapping_types(param);
    att record;
BEGIN
    SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type_name,
           format_type(arcollect._base_type(a.atttypid), NULL) AS base_name
      INTO att
      FROM pg_attribute a
     WHERE a.attrelid = tbl AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
        message := format('column "%s" of table %s does not exist', col, tbl);
        sqlstate := '42703';
        detail := format('The %s parameter names column "%s", which %s does not have.', param, col, tbl);
        hint := 'Give the column name exactly as it is stored: case-sensitive and without quotes.';
    ELSIF allowed IS NOT NULL AND NOT att.base_name = ANY (allowed) THEN
        message := format('column "%s" of table %s has the wrong type for %s', col, tbl, param);
        sqlstate := '42804';
        detail := format('Column "%s" is of type %s; the %s parameter needs one of: %s.',
                         col, att.type_name, param, array_to_string(allowed, ', '));
        hint := 'Map a column of one of those types, or add a generated column that converts it.';
    END IF;
END
$fn$;

-- Finds column col of table tbl for the mapping parameter param, or raises
-- what is wrong with it.  Returns the column's name.
CREATE FUNCTION arcollect._mapped_column(tbl regclass, param text, col text)
RETURNS name
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    p record := arcollect._column_problem(tbl, param, col);
BEGIN
    IF p.message IS NOT NULL THEN
        RAISE EXCEPTION '%', p.message
            USING ERRCODE = p.sqlstate, DETAIL = p.detail, HINT = p.hint;
    END IF;
    RETURN col;
END
$fn$;

-- What is wrong with the mapping of an attachment now (a mapped column
-- renamed, dropped or changed to a type it does not accept since attach),
-- or NULL.  The trigger checks this before it books anything.
CREATE FUNCTION arcollect._mapping_problem(attachment_id integer)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT p.message
      FROM arcollect.attachment a
     CROSS JOIN LATERAL (VALUES
            ('key', a.key_column), ('customer', a.customer_column), ('amount', a.amount_column),
            ('due_on', a.due_on_column), ('issued_on', a.issued_on_column),
            ('currency', a.currency_column), ('paid', a.paid_column), ('open', a.open_column),
            ('owner', a.owner_column), ('status', a.status_column),
            ('invoice_key', a.invoice_key_column), ('paid_on', a.paid_on_column),
            ('kind', a.kind_column)) m(param, col)
     CROSS JOIN LATERAL arcollect._column_problem(a.billing_table, m.param, m.col) p
     WHERE a.attachment_id = _mapping_problem.attachment_id
       AND m.col IS NOT NULL AND p.message IS NOT NULL
     LIMIT 1;
END;

-- Checks that tbl is a table arcollect can attach: an ordinary or
-- partitioned table outside the arcollect schema.
CREATE FUNCTION arcollect._check_attachable(tbl regclass)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    c record;
BEGIN
    SELECT r.relkind, r.relispartition, n.nspname INTO c
      FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace
     WHERE r.oid = tbl;
    IF c.relkind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION '% is not a table', tbl
            USING ERRCODE = 'wrong_object_type',
                  DETAIL = 'arcollect attaches to ordinary and partitioned tables only.';
    END IF;
    IF c.relispartition THEN
        RAISE EXCEPTION 'table % is a partition of %', tbl, pg_partition_root(tbl)
            USING ERRCODE = 'wrong_object_type',
                  HINT = 'Attach the partitioned table; writes to its partitions are booked too.';
    END IF;
    IF c.nspname = 'arcollect' THEN
        RAISE EXCEPTION 'table % belongs to arcollect', tbl
            USING ERRCODE = 'wrong_object_type',
                  DETAIL = 'arcollect''s own tables cannot be attached to the ledger.';
    END IF;
    IF NOT has_table_privilege(tbl, 'SELECT') OR NOT has_table_privilege(tbl, 'TRIGGER') THEN
        RAISE EXCEPTION 'permission denied for table %', tbl
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'Attaching a table needs the SELECT and TRIGGER privileges on it.';
    END IF;
END
$fn$;

-- The tables whose writes an attachment of tbl books: tbl and, when it is
-- partitioned, all its partitions.  Statement-level triggers fire only
-- for the table a statement names, so each of them needs its own.
CREATE FUNCTION arcollect._trigger_tables(tbl regclass)
RETURNS SETOF regclass
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT t.relid FROM pg_catalog.pg_partition_tree(tbl) t
    UNION
    SELECT tbl;
END;

-- (Re)creates arcollect's four statement-level triggers on tbl and its
-- partitions.  One trigger per event, because a trigger with transition
-- tables can only have one event.
CREATE FUNCTION arcollect._install_triggers(tbl regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM arcollect._install_table_triggers(t) FROM arcollect._trigger_tables(tbl) t;
END
$fn$;

CREATE FUNCTION arcollect._install_table_triggers(tbl regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM arcollect._drop_table_triggers(tbl);
    EXECUTE format('CREATE TRIGGER arcollect_ledger_insert AFTER INSERT ON %s'
                   ' REFERENCING NEW TABLE AS arcollect_new'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION arcollect.ledger_trigger()', tbl);
    EXECUTE format('CREATE TRIGGER arcollect_ledger_update AFTER UPDATE ON %s'
                   ' REFERENCING OLD TABLE AS arcollect_old NEW TABLE AS arcollect_new'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION arcollect.ledger_trigger()', tbl);
    EXECUTE format('CREATE TRIGGER arcollect_ledger_delete AFTER DELETE ON %s'
                   ' REFERENCING OLD TABLE AS arcollect_old'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION arcollect.ledger_trigger()', tbl);
    EXECUTE format('CREATE TRIGGER arcollect_ledger_truncate AFTER TRUNCATE ON %s'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION arcollect.ledger_trigger()', tbl);
END
$fn$;

-- Drops arcollect's triggers from tbl and its partitions, if there.
CREATE FUNCTION arcollect._drop_triggers(tbl regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM arcollect._drop_table_triggers(t) FROM arcollect._trigger_tables(tbl) t;
END
$fn$;

CREATE FUNCTION arcollect._drop_table_triggers(tbl regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    t name;
BEGIN
    FOR t IN SELECT g.tgname FROM pg_trigger g
              WHERE g.tgrelid = tbl AND g.tgfoid = 'arcollect.ledger_trigger()'::regprocedure
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', t, tbl);
    END LOOP;
END
$fn$;

-- Number of arcollect triggers on tbl (4 when attached).
CREATE FUNCTION arcollect._trigger_count(tbl regclass)
RETURNS integer
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT count(*) FROM pg_catalog.pg_trigger g
         WHERE g.tgrelid = tbl AND g.tgfoid = 'arcollect.ledger_trigger()'::pg_catalog.regprocedure);

-- Brings the ledger of an attachment in line with the whole table, as
-- attaching does: for a payments table, by taking back what it booked and
-- booking its rows again.  Returns the sync statement's counts.
CREATE FUNCTION arcollect._import(attachment_id integer,
                                  OUT rows_seen bigint, OUT rows_quarantined bigint,
                                  OUT first_key text, OUT first_reason text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    a arcollect.attachment;
BEGIN
    SELECT * INTO STRICT a FROM arcollect.attachment t WHERE t.attachment_id = _import.attachment_id;
    IF a.kind = 'payments' THEN
        PERFORM arcollect._payments_clear(a.attachment_id);
    END IF;
    EXECUTE arcollect._sync_sql(a.attachment_id, 'IMPORT')
       INTO rows_seen, rows_quarantined, first_key, first_reason
      USING a.attachment_id, coalesce(a.invoices_attachment_id, a.attachment_id), a.default_currency,
            a.void_statuses, a.credit_statuses;
END
$fn$;

-- Records the attachment a (a new one, or new settings for a table
-- attached before, keeping its ledger) and books the rows already in the
-- table.  Returns the number of rows booked; unusable rows go to
-- quarantine (or, in strict mode, fail the call).
CREATE FUNCTION arcollect._attach_register(a arcollect.attachment)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    id integer;
    r record;
BEGIN
    IF arcollect._trigger_count(a.billing_table) <> 4 THEN
        RAISE EXCEPTION 'table % has no arcollect triggers', a.billing_table
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Use arcollect.attach or arcollect.attach_payments.';
    END IF;

    SELECT t.attachment_id INTO id FROM arcollect.attachment t WHERE t.billing_table = a.billing_table;
    IF FOUND THEN
        UPDATE arcollect.attachment t
           SET kind = a.kind, invoices_attachment_id = a.invoices_attachment_id,
               key_column = a.key_column, customer_column = a.customer_column,
               amount_column = a.amount_column, due_on_column = a.due_on_column,
               issued_on_column = a.issued_on_column, currency_column = a.currency_column,
               paid_column = a.paid_column, open_column = a.open_column,
               owner_column = a.owner_column, status_column = a.status_column,
               invoice_key_column = a.invoice_key_column, paid_on_column = a.paid_on_column,
               kind_column = a.kind_column, default_currency = a.default_currency,
               void_statuses = a.void_statuses, credit_statuses = a.credit_statuses,
               strict_mode = a.strict_mode, attached_at = now(), detached_at = NULL
         WHERE t.attachment_id = id;
    ELSE
        INSERT INTO arcollect.attachment
               (billing_table, kind, invoices_attachment_id, key_column, customer_column,
                amount_column, due_on_column, issued_on_column, currency_column, paid_column,
                open_column, owner_column, status_column, invoice_key_column, paid_on_column,
                kind_column, default_currency, void_statuses, credit_statuses, strict_mode)
        VALUES (a.billing_table, a.kind, a.invoices_attachment_id, a.key_column, a.customer_column,
                a.amount_column, a.due_on_column, a.issued_on_column, a.currency_column, a.paid_column,
                a.open_column, a.owner_column, a.status_column, a.invoice_key_column, a.paid_on_column,
                a.kind_column, a.default_currency, a.void_statuses, a.credit_statuses, a.strict_mode)
        RETURNING attachment_id INTO id;
    END IF;

    r := arcollect._import(id);
    IF r.rows_quarantined > 0 THEN
        IF a.strict_mode THEN
            RAISE EXCEPTION 'row with invoice key "%" of table % cannot be used: %',
                  coalesce(r.first_key, '(none)'), a.billing_table, arcollect.quarantine_reason_text(r.first_reason)
                USING ERRCODE = 'check_violation',
                      DETAIL = format('%s of the table cannot be used, and the table is attached in strict mode.',
                                      CASE WHEN r.rows_quarantined = 1 THEN 'One row'
                                           ELSE r.rows_quarantined || ' rows' END),
                      HINT = 'Correct the rows, or attach with strict => false to quarantine them.';
        END IF;
        RAISE WARNING 'arcollect quarantined % of table %',
              CASE WHEN r.rows_quarantined = 1 THEN 'one row' ELSE r.rows_quarantined || ' rows' END,
              a.billing_table
            USING DETAIL = format('The first has invoice key "%s": %s.', coalesce(r.first_key, '(none)'),
                                  arcollect.quarantine_reason_text(r.first_reason)),
                  HINT = 'See arcollect.quarantine; a row leaves quarantine once it is corrected in the table.';
    END IF;
    RETURN r.rows_seen - r.rows_quarantined;
END
$fn$;

-- Marks the attachment of tbl detached, once the caller has taken
-- arcollect's triggers off it.  The ledger rows stay.
CREATE FUNCTION arcollect._detach_register(tbl regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    id integer;
BEGIN
    IF arcollect._trigger_count(tbl) <> 0 THEN
        RAISE EXCEPTION 'table % still has arcollect triggers', tbl
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Use arcollect.detach.';
    END IF;
    UPDATE arcollect.attachment t SET detached_at = now()
     WHERE t.billing_table = tbl AND t.detached_at IS NULL
    RETURNING t.attachment_id INTO id;
    DELETE FROM arcollect.quarantine q WHERE q.attachment_id = id;
END
$fn$;

CREATE FUNCTION arcollect.attach(
    billing_table regclass,
    key text,
    customer text,
    amount text,
    due_on text,
    issued_on text,
    currency text DEFAULT NULL,
    paid text DEFAULT NULL,
    open text DEFAULT NULL,
    owner text DEFAULT NULL,
    status text DEFAULT NULL,
    strict boolean DEFAULT false,
    default_currency text DEFAULT NULL,
    void_statuses text[] DEFAULT '{void,voided,cancelled,canceled}',
    credit_statuses text[] DEFAULT '{credit,credit note,credit_note,credit memo,credit_memo}')
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
-- The parameters are read as $1 ... $15: open, key and strict are also
-- PL/pgSQL keywords.
DECLARE
    tbl regclass := $1;
    a arcollect.attachment;
    key_ok boolean;
BEGIN
    IF tbl IS NULL OR $2 IS NULL OR $3 IS NULL OR $4 IS NULL OR $5 IS NULL OR $6 IS NULL THEN
        RAISE EXCEPTION 'attach needs billing_table, key, customer, amount, due_on and issued_on'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF $8 IS NOT NULL AND $9 IS NOT NULL THEN
        RAISE EXCEPTION 'give paid or open, not both'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'paid names the column of the amount paid so far, open the column of the amount still open; either one determines the other.';
    END IF;
    IF $7 IS NULL AND $13 IS NULL THEN
        RAISE EXCEPTION 'attach needs a currency column or a default currency for table %', tbl
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give currency => the currency column, or default_currency => an ISO 4217 code such as ''EUR''.';
    END IF;
    IF $13 IS NOT NULL AND NOT arcollect.is_currency_code(upper($13)) THEN
        RAISE EXCEPTION 'unknown currency code "%"', $13
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give an ISO 4217 code such as ''EUR'' or ''USD''.';
    END IF;
    PERFORM arcollect._check_attachable(tbl);
    IF EXISTS (SELECT FROM arcollect.attachment t WHERE t.billing_table = tbl AND t.kind <> 'invoices') THEN
        RAISE EXCEPTION 'table % is attached as a payments table', tbl
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Detach it with arcollect.detach first.';
    END IF;

    a.billing_table := tbl;
    a.kind := 'invoices';
    a.key_column := arcollect._mapped_column(tbl, 'key', $2);
    a.customer_column := arcollect._mapped_column(tbl, 'customer', $3);
    a.amount_column := arcollect._mapped_column(tbl, 'amount', $4);
    a.due_on_column := arcollect._mapped_column(tbl, 'due_on', $5);
    a.issued_on_column := arcollect._mapped_column(tbl, 'issued_on', $6);
    IF $7 IS NOT NULL THEN
        a.currency_column := arcollect._mapped_column(tbl, 'currency', $7);
    END IF;
    IF $8 IS NOT NULL THEN
        a.paid_column := arcollect._mapped_column(tbl, 'paid', $8);
    END IF;
    IF $9 IS NOT NULL THEN
        a.open_column := arcollect._mapped_column(tbl, 'open', $9);
    END IF;
    IF $10 IS NOT NULL THEN
        a.owner_column := arcollect._mapped_column(tbl, 'owner', $10);
    END IF;
    IF $11 IS NOT NULL THEN
        a.status_column := arcollect._mapped_column(tbl, 'status', $11);
    END IF;
    a.strict_mode := coalesce($12, false);
    a.default_currency := upper($13);
    a.void_statuses := (SELECT coalesce(array_agg(lower(s)), '{}') FROM unnest($14) s);
    a.credit_statuses := (SELECT coalesce(array_agg(lower(s)), '{}') FROM unnest($15) s);

    -- The ledger follows invoices by key, so the key must identify a row.
    SELECT EXISTS (
        SELECT FROM pg_index i JOIN pg_attribute t ON t.attrelid = i.indrelid AND t.attnum = i.indkey[0]
         WHERE i.indrelid = tbl AND i.indisunique AND i.indimmediate AND i.indnatts = 1 AND i.indpred IS NULL
           AND i.indexprs IS NULL AND t.attname = a.key_column AND t.attnotnull)
      INTO key_ok;
    IF NOT key_ok THEN
        RAISE EXCEPTION 'key column "%" of table % is not a unique, not-null column', a.key_column, tbl
            USING ERRCODE = 'invalid_column_reference',
                  DETAIL = 'The ledger follows invoices by their key, so the key column needs a primary key or a unique index of its own (not deferrable) and NOT NULL.',
                  HINT = format('For example: ALTER TABLE %s ADD UNIQUE (%I), ALTER COLUMN %I SET NOT NULL.',
                                tbl, a.key_column, a.key_column);
    END IF;

    PERFORM arcollect._install_triggers(tbl);
    RETURN arcollect._attach_register(a);
END
$fn$;

COMMENT ON FUNCTION arcollect.attach(regclass, text, text, text, text, text, text, text, text, text, text, boolean, text, text[], text[]) IS
'Attaches the receivables ledger to a billing table: validates the column mapping, installs the ledger trigger, books the rows already there and returns how many it booked. Attaching an attached table again replaces its mapping and brings its ledger in line.';

CREATE FUNCTION arcollect.attach_payments(
    payments_table regclass,
    invoice_key text,
    amount text,
    paid_on text,
    kind text DEFAULT NULL,
    invoices regclass DEFAULT NULL,
    strict boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    tbl regclass := $1;
    a arcollect.attachment;
    inv_id integer;
    n integer;
BEGIN
    IF tbl IS NULL OR $2 IS NULL OR $3 IS NULL OR $4 IS NULL THEN
        RAISE EXCEPTION 'attach_payments needs payments_table, invoice_key, amount and paid_on'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    PERFORM arcollect._check_attachable(tbl);
    IF EXISTS (SELECT FROM arcollect.attachment t WHERE t.billing_table = tbl AND t.kind <> 'payments') THEN
        RAISE EXCEPTION 'table % is attached as a billing table', tbl
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Detach it with arcollect.detach first.';
    END IF;
    IF $6 IS NULL THEN
        SELECT min(t.attachment_id), count(*) INTO inv_id, n
          FROM arcollect.attachment t WHERE t.kind = 'invoices' AND t.detached_at IS NULL;
        IF n <> 1 THEN
            RAISE EXCEPTION 'attach_payments needs to know which billing table % belongs to', tbl
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = format('%s billing tables are attached.', n),
                      HINT = 'Give invoices => the billing table whose invoice keys the payments name.';
        END IF;
    ELSE
        SELECT t.attachment_id INTO inv_id
          FROM arcollect.attachment t WHERE t.billing_table = $6 AND t.kind = 'invoices';
        IF NOT FOUND THEN
            RAISE EXCEPTION 'table % is not an attached billing table', $6
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Attach it with arcollect.attach first.';
        END IF;
    END IF;

    a.billing_table := tbl;
    a.kind := 'payments';
    a.invoices_attachment_id := inv_id;
    a.invoice_key_column := arcollect._mapped_column(tbl, 'invoice_key', $2);
    a.amount_column := arcollect._mapped_column(tbl, 'amount', $3);
    a.paid_on_column := arcollect._mapped_column(tbl, 'paid_on', $4);
    IF $5 IS NOT NULL THEN
        a.kind_column := arcollect._mapped_column(tbl, 'kind', $5);
    END IF;
    a.strict_mode := coalesce($7, false);
    a.void_statuses := '{}';
    a.credit_statuses := '{}';

    PERFORM arcollect._install_triggers(tbl);
    RETURN arcollect._attach_register(a);
END
$fn$;

COMMENT ON FUNCTION arcollect.attach_payments(regclass, text, text, text, text, regclass, boolean) IS
'Attaches a table of payments, credit notes and write-offs to the ledger: each row reduces the open amount of the invoice it names, on its paid_on date. Returns how many rows it booked.';

CREATE FUNCTION arcollect.detach(billing_table regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT EXISTS (SELECT FROM arcollect.attachment t
                    WHERE t.billing_table = $1 AND t.detached_at IS NULL) THEN
        RAISE EXCEPTION 'table % is not attached', $1
            USING ERRCODE = 'undefined_object';
    END IF;
    PERFORM arcollect._drop_triggers($1);
    PERFORM arcollect._detach_register($1);
END
$fn$;

COMMENT ON FUNCTION arcollect.detach(regclass) IS
'Removes the ledger trigger from an attached table. The ledger keeps the table''s invoices and their history; attaching the table again brings them up to date.';
-- Keeping attachments in step with DDL on attached tables, by event
-- triggers:
--
-- * A dropped table leaves its attachment detached, with billing_table
--   NULL (its OID may be reused by a new table) and the name it had in
--   dropped_table_name.  Its ledger rows stay, as after detach.
-- * A partition created in, attached to or detached from an attached
--   partitioned table gets or loses arcollect's triggers (statement
--   triggers fire only for the table a statement names, so each partition
--   has its own), and rows that came or went with it are booked.

CREATE FUNCTION arcollect._forget_dropped_tables()
RETURNS event_trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    gone integer[];
BEGIN
    WITH dropped AS (
        UPDATE arcollect.attachment a
           SET billing_table = NULL, dropped_table_name = d.object_identity,
               detached_at = coalesce(a.detached_at, now())
          FROM pg_event_trigger_dropped_objects() d
         WHERE d.classid = 'pg_class'::regclass AND d.objsubid = 0
           AND a.billing_table::oid = d.objid
        RETURNING a.attachment_id)
    SELECT array_agg(dropped.attachment_id) INTO gone FROM dropped;
    IF gone IS NOT NULL THEN
        DELETE FROM arcollect.quarantine q WHERE q.attachment_id = ANY (gone);
    END IF;
END
$fn$;

CREATE EVENT TRIGGER arcollect_dropped_tables ON sql_drop
    EXECUTE FUNCTION arcollect._forget_dropped_tables();

CREATE FUNCTION arcollect._follow_partitions()
RETURNS event_trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    a record;
    t regclass;
    changed boolean;
    has_rows boolean;
BEGIN
    IF NOT EXISTS (SELECT FROM arcollect.attachment x WHERE x.detached_at IS NULL) THEN
        RETURN;
    END IF;
    FOR a IN
        SELECT DISTINCT x.attachment_id, x.billing_table
          FROM pg_event_trigger_ddl_commands() c
          JOIN arcollect.attachment x
            ON x.detached_at IS NULL
           AND x.billing_table = coalesce(pg_partition_root(c.objid), c.objid::regclass)
         WHERE c.classid = 'pg_class'::regclass
    LOOP
        -- The table's own triggers come from attach.  Without them (in the
        -- middle of a pg_restore, which creates every trigger itself once
        -- the data is in) this leaves the partitions alone too.
        CONTINUE WHEN arcollect._trigger_count(a.billing_table) <> 4;
        changed := false;
        -- partitions that came: triggers, and their rows
        FOR t IN SELECT p FROM arcollect._trigger_tables(a.billing_table) p
                  WHERE arcollect._trigger_count(p) <> 4 LOOP
            PERFORM arcollect._install_table_triggers(t);
            EXECUTE format('SELECT EXISTS (SELECT FROM %s)', t) INTO STRICT has_rows;
            changed := changed OR has_rows;
        END LOOP;
        -- partitions that went: no more triggers, and their rows leave
        FOR t IN SELECT DISTINCT g.tgrelid::regclass FROM pg_trigger g
                  WHERE g.tgfoid = 'arcollect.ledger_trigger()'::regprocedure
                    AND NOT EXISTS (SELECT FROM arcollect.attachment x
                                     WHERE x.detached_at IS NULL
                                       AND x.billing_table = coalesce(pg_partition_root(g.tgrelid),
                                                                      g.tgrelid::regclass)) LOOP
            PERFORM arcollect._drop_table_triggers(t);
            changed := true;
        END LOOP;
        IF changed THEN
            PERFORM arcollect._import(a.attachment_id);
        END IF;
    END LOOP;
END
$fn$;

CREATE EVENT TRIGGER arcollect_partitions ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
    EXECUTE FUNCTION arcollect._follow_partitions();
-- Reading the ledger: open items and the receivables balance at any date,
-- and the history of every invoice.
--
-- The open amount of an invoice at a date is its booked amount (once its
-- booking date has passed) plus its entries effective on or before that
-- date (see ledger_sync.sql for how entries are dated).  open_items,
-- receivables_balance and ledger_entries all read the history through
-- arcollect._history, so an aging report built from open_items(d) always
-- ties out to receivables_balance(d): both add up the same rows.

-- The whole history as one relation: each invoice's booking (kept in its
-- invoice row) and every entry after it.
CREATE VIEW arcollect._history AS
SELECT i.attachment_id, i.invoice_key,
       CASE WHEN i.booked_amount < 0 THEN 'credit_note' ELSE 'invoice' END AS kind,
       i.booked_amount AS amount, i.booked_on AS effective_on,
       i.attachment_id AS source_attachment_id, i.booked_at AS recorded_at,
       NULL::bigint AS entry_id
  FROM arcollect.invoice i
 WHERE i.booked_on IS NOT NULL
UNION ALL
SELECT e.attachment_id, e.invoice_key, e.kind, e.amount, e.effective_on,
       e.source_attachment_id, e.recorded_at, e.entry_id
  FROM arcollect.entry e;

COMMENT ON VIEW arcollect._history IS
'Internal: every change of every invoice''s open amount, its booking included; read through arcollect.ledger_entries.';

CREATE FUNCTION arcollect.open_items(as_of date DEFAULT current_date)
RETURNS TABLE (
    invoice_key text,
    customer_id text,
    currency text,
    issued_on date,
    due_on date,
    amount numeric,
    open_amount numeric,
    owner text,
    status text,
    billing_table regclass,
    in_billing boolean)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT i.invoice_key, i.customer_id, i.currency, i.issued_on, i.due_on, i.amount,
           coalesce(e.open_amount, 0), i.owner, i.status, a.billing_table, i.in_billing
      FROM arcollect.invoice i
      JOIN arcollect.attachment a ON a.attachment_id = i.attachment_id
      LEFT JOIN (SELECT x.attachment_id, x.invoice_key, sum(x.amount) AS open_amount
                   FROM arcollect._history x
                  WHERE x.effective_on <= open_items.as_of
                  GROUP BY x.attachment_id, x.invoice_key) e
             ON e.attachment_id = i.attachment_id AND e.invoice_key = i.invoice_key
     WHERE i.issued_on <= open_items.as_of
       AND (i.in_billing OR coalesce(e.open_amount, 0) <> 0);
END;

COMMENT ON FUNCTION arcollect.open_items(date) IS
'Every invoice issued on or before as_of with its open amount at that date (negative when overpaid). Invoices deleted from the billing table are left out once nothing is open on them.';

CREATE FUNCTION arcollect.receivables_balance(as_of date DEFAULT current_date,
                                              billing_table regclass DEFAULT NULL)
RETURNS TABLE (currency text, balance numeric)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT i.currency, sum(x.amount)
      FROM arcollect._history x
      JOIN arcollect.invoice i ON i.attachment_id = x.attachment_id AND i.invoice_key = x.invoice_key
      JOIN arcollect.attachment a ON a.attachment_id = i.attachment_id
     WHERE x.effective_on <= receivables_balance.as_of
       AND i.issued_on <= receivables_balance.as_of
       AND (receivables_balance.billing_table IS NULL
            OR a.billing_table = receivables_balance.billing_table)
     GROUP BY i.currency
     ORDER BY i.currency;
END;

COMMENT ON FUNCTION arcollect.receivables_balance(date, regclass) IS
'Receivables balance per currency at the end of as_of: every change up to that date of every invoice issued by then; of one billing table, or of all when billing_table is NULL.';

CREATE VIEW arcollect.ledger_entries AS
SELECT e.entry_id,
       coalesce(a.billing_table::text, a.dropped_table_name) AS billing_table,
       e.invoice_key,
       i.customer_id,
       i.currency,
       e.kind,
       e.amount,
       e.effective_on,
       coalesce(s.billing_table::text, s.dropped_table_name) AS source_table,
       e.recorded_at
  FROM arcollect._history e
  JOIN arcollect.attachment a ON a.attachment_id = e.attachment_id
  JOIN arcollect.attachment s ON s.attachment_id = e.source_attachment_id
  LEFT JOIN arcollect.invoice i ON i.attachment_id = e.attachment_id AND i.invoice_key = e.invoice_key;

COMMENT ON VIEW arcollect.ledger_entries IS
'The history of the receivables ledger: every change of an invoice''s open amount, with its kind and date.';
COMMENT ON COLUMN arcollect.ledger_entries.entry_id IS 'Order in which the changes after the booking were recorded; NULL for the booking of the invoice itself (kind invoice or credit_note), which comes first.';
COMMENT ON COLUMN arcollect.ledger_entries.billing_table IS 'Billing table of the invoice.';
COMMENT ON COLUMN arcollect.ledger_entries.invoice_key IS 'Invoice key.';
COMMENT ON COLUMN arcollect.ledger_entries.customer_id IS 'Customer of the invoice.';
COMMENT ON COLUMN arcollect.ledger_entries.currency IS 'Currency of the invoice.';
COMMENT ON COLUMN arcollect.ledger_entries.kind IS 'invoice, payment, credit_note, write_off, void or adjustment.';
COMMENT ON COLUMN arcollect.ledger_entries.amount IS 'Change of the open amount: positive raises it, negative lowers it.';
COMMENT ON COLUMN arcollect.ledger_entries.effective_on IS 'Date the change takes effect.';
COMMENT ON COLUMN arcollect.ledger_entries.source_table IS 'The table whose write produced the change (billing or payments table).';
COMMENT ON COLUMN arcollect.ledger_entries.recorded_at IS 'When the change was recorded.';
-- Tie-out: where the ledger and an attached table disagree.
--
-- reconcile reads the attached table through the same column mapping as
-- the trigger (arcollect._invoice_rows_sql / _payment_rows_sql), and
-- compares, key by key, what the table says with what the ledger holds;
-- it also checks that each invoice's history adds up to its current open
-- amount and that quarantine holds exactly the unusable rows.  It runs
-- with the caller's rights: it needs SELECT on the table and the ledger.

CREATE FUNCTION arcollect.reconcile(billing_table regclass)
RETURNS TABLE (invoice_key text, problem text, table_value numeric, ledger_value numeric)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    a arcollect.attachment;
BEGIN
    SELECT * INTO a FROM arcollect.attachment t WHERE t.billing_table = $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table % is not attached', $1
            USING ERRCODE = 'undefined_object',
                  HINT = 'Attach it with arcollect.attach or arcollect.attach_payments.';
    END IF;

    IF a.kind = 'payments' THEN
        RETURN QUERY EXECUTE format(
            $q$WITH b AS MATERIALIZED (%s),
     want AS (SELECT b.k, sum(-b.amt) AS total FROM b WHERE b.reason IS NULL GROUP BY b.k),
     have AS (SELECT e.invoice_key AS k, sum(e.amount) AS total
                FROM arcollect.entry e WHERE e.source_attachment_id = $1 GROUP BY e.invoice_key),
     bad AS (SELECT b.row_data, count(*) AS n FROM b WHERE b.reason IS NOT NULL GROUP BY b.row_data),
     quar AS (SELECT q.row_data, count(*) AS n FROM arcollect.quarantine q
               WHERE q.attachment_id = $1 GROUP BY q.row_data)
SELECT coalesce(want.k, have.k)::text, 'payments of the invoice differ'::text,
       coalesce(want.total, 0), coalesce(have.total, 0)
  FROM want FULL JOIN have ON have.k = want.k
 WHERE coalesce(want.total, 0) <> coalesce(have.total, 0)
UNION ALL
SELECT coalesce(bad.row_data, quar.row_data)->>%L, 'quarantine does not match the unusable rows',
       coalesce(bad.n, 0)::numeric, coalesce(quar.n, 0)::numeric
  FROM bad FULL JOIN quar ON quar.row_data = bad.row_data
 WHERE coalesce(bad.n, 0) <> coalesce(quar.n, 0)$q$,
            arcollect._payment_rows_sql(a, a.billing_table::text), a.invoice_key_column)
        USING a.attachment_id;
        RETURN;
    END IF;

    RETURN QUERY EXECUTE format(
        $q$WITH b AS MATERIALIZED (%s),
     good AS (SELECT b.*, CASE WHEN b.is_void THEN 0 ELSE b.amt - b.paid END AS open_part
                FROM b WHERE b.reason IS NULL),
     l AS (SELECT i.*, i.amount - i.paid + i.void_amount AS open_part
             FROM arcollect.invoice i WHERE i.attachment_id = $1),
     e AS (SELECT x.invoice_key, sum(x.amount) AS total
             FROM arcollect._history x WHERE x.attachment_id = $1 GROUP BY x.invoice_key),
     q AS (SELECT x.invoice_key, x.reason FROM arcollect.quarantine x
            WHERE x.attachment_id = $1 AND x.row_kind = 'invoice')
SELECT r.k::text, r.problem, r.table_value, r.ledger_value
  FROM (SELECT coalesce(g.k, l.invoice_key) AS k,
               CASE WHEN g.k IS NULL THEN 'in the ledger but not in the table'
                    WHEN l.invoice_key IS NULL THEN 'missing from the ledger'
                    WHEN (g.cust, g.cur, g.iss, g.due, g.amt, g.owner, g.status)
                         IS DISTINCT FROM
                         (l.customer_id, l.currency, l.issued_on, l.due_on, l.amount, l.owner, l.status)
                         THEN 'invoice details differ'
                    WHEN g.open_part <> l.open_part THEN 'open amount differs'
               END AS problem,
               g.open_part AS table_value, l.open_part AS ledger_value
          FROM good g
          FULL JOIN (SELECT * FROM l WHERE l.in_billing) l ON l.invoice_key = g.k
        UNION ALL
        SELECT l.invoice_key, 'invoice gone from the table still open in the ledger', 0, l.open_part
          FROM l WHERE NOT l.in_billing AND l.open_part <> 0
        UNION ALL
        SELECT coalesce(l.invoice_key, e.invoice_key), 'history does not add up to the open amount',
               coalesce(l.amount - l.paid + l.void_amount + l.applied, 0), coalesce(e.total, 0)
          FROM l FULL JOIN e ON e.invoice_key = l.invoice_key
         WHERE coalesce(l.open_amount, 0) <> coalesce(e.total, 0)
            OR coalesce(l.open_amount, 0) <> coalesce(l.amount - l.paid + l.void_amount + l.applied, 0)
        UNION ALL
        SELECT coalesce(b.k, q.invoice_key),
               CASE WHEN q.invoice_key IS NULL THEN 'unusable row not in quarantine'
                    WHEN b.k IS NULL THEN 'quarantined row no longer unusable'
                    ELSE 'quarantine reason out of date' END,
               NULL, NULL
          FROM (SELECT * FROM b WHERE b.reason IS NOT NULL) b
          FULL JOIN q ON q.invoice_key = b.k
         WHERE b.k IS NULL OR q.invoice_key IS NULL OR b.reason <> q.reason) r
 WHERE r.problem IS NOT NULL
 ORDER BY 1, 2$q$,
        arcollect._invoice_rows_sql(a, a.billing_table::text))
    USING a.attachment_id, a.attachment_id, a.default_currency, a.void_statuses, a.credit_statuses;
END
$fn$;

COMMENT ON FUNCTION arcollect.reconcile(regclass) IS
'One row per invoice where the ledger and the attached billing or payments table disagree, with the problem and both values; no rows when they agree.';
-- Privileges of the receivables ledger.
--
-- PUBLIC gets nothing on ledger data: tables and views are readable and
-- writable only by roles that are granted access (see doc/ledger.md for
-- the grants of a BI, collector and admin role).  Attaching a table is an
-- administrator's job, so the SECURITY DEFINER helpers behind attach and
-- detach, and the trigger function itself, are not executable by PUBLIC
-- either.  Reading functions run with the caller's rights and need no
-- revoke: without SELECT on the ledger they return nothing but an error.

REVOKE ALL ON arcollect.attachment, arcollect.invoice, arcollect.entry,
              arcollect.quarantine, arcollect.customer,
              arcollect.quarantined_rows, arcollect.ledger_entries, arcollect._history
    FROM PUBLIC;
REVOKE ALL ON SEQUENCE arcollect.attachment_attachment_id_seq,
                       arcollect.entry_entry_id_seq,
                       arcollect.quarantine_quarantine_id_seq
    FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION arcollect.ledger_trigger(),
                           arcollect._attach_register(arcollect.attachment),
                           arcollect._detach_register(regclass),
                           arcollect._payments_clear(integer)
    FROM PUBLIC;
