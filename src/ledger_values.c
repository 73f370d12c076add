/*-------------------------------------------------------------------------
 *
 * ledger_values.c
 *	  Which billing values the receivables ledger can hold.
 *
 * A billing row whose values the ledger cannot hold is quarantined instead
 * of booked, so that the billing write never fails because of arcollect.
 * Three rules decide it, and this file is their one definition: the SQL
 * statements of ledger_sync.sql call them through the SQL functions below
 * (arcollect.ledger_text_fits, ledger_date_usable, ledger_amount_usable),
 * the fast path of ledger_fastpath.c calls them directly.
 *
 * - Text (invoice key, customer, owner): at most LEDGER_MAX_TEXT_BYTES
 *   bytes.  The ledger indexes them in btrees (arcollect.invoice's primary
 *   key, arcollect.customer_setting's key), and a btree entry must
 *   fit in a third of a page, about 2700 bytes; a longer value makes the
 *   insert fail ("index row size exceeds btree maximum").  The limit leaves
 *   room for two such values in one index entry, and no invoice number,
 *   customer identifier or collector name comes near it.
 * - Dates (issue, due and payment dates): finite.  Day counts cannot be
 *   taken from infinity, so aging and DSO refuse such a date, and one
 *   booked invoice would make every report over open_items fail.
 * - Amounts (amount, amount paid, open amount, payment amounts): finite
 *   and less than 10^LEDGER_AMOUNT_DIGITS in absolute value.  numeric
 *   stops at about 10^131072, so amount - paid of two huge amounts can
 *   overflow, and so can the sums the ledger and its reports take; with
 *   every amount below 10^38, no sum of them comes near it.  38 digits is
 *   also what the decimal types of BI tools and other databases hold.
 *
 * The quarantine keeps the rows that break a rule, long keys included, so
 * its unique index on the key cannot be a btree on the key itself: it is
 * on a SHA-256 digest of the key (arcollect._key_digest).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/numeric.h"

#include "exact_sum.h"
#include "ledger_values.h"

/*
 * Whether a text value is short enough for the ledger's indexes.  Reads
 * the length without detoasting the value.
 */
bool
ledger_text_fits(Datum value)
{
	return toast_raw_datum_size(value) - VARHDRSZ <= LEDGER_MAX_TEXT_BYTES;
}

/* Whether a date can be booked: any but infinity and -infinity. */
bool
ledger_date_usable(DateADT value)
{
	return !DATE_NOT_FINITE(value);
}

/*
 * 10^LEDGER_AMOUNT_DIGITS, made in cxt: the bound ledger_amount_usable
 * compares with.  Callers make it once and keep it (per statement, per
 * call site).
 */
Numeric
ledger_amount_limit(MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	char		text[16];
	Numeric		limit;

	snprintf(text, sizeof(text), "1e%d", LEDGER_AMOUNT_DIGITS);
	limit = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(text),
												ObjectIdGetDatum(InvalidOid),
												Int32GetDatum(-1)));
	MemoryContextSwitchTo(old);
	return limit;
}

/*
 * Whether an amount can be booked: finite, and less than limit (from
 * ledger_amount_limit) in absolute value.  Sets *sign (when given) for a
 * usable amount.  Ordinary amounts are told by their digits alone,
 * without a comparison.
 */
bool
ledger_amount_usable(Numeric value, Numeric limit, int *sign)
{
	Amount		amount;

	if (numeric_is_nan(value) || numeric_is_inf(value))
		return false;
	arc_amount_read(NumericGetDatum(value), &amount);
	if (sign != NULL)
		*sign = amount.sign;
	if (amount.fast)
		return true;			/* below 10^20 */
	if (amount.sign >= 0)
		return arc_numeric_compare(value, limit) < 0;
	return arc_numeric_compare(DatumGetNumeric(DirectFunctionCall1(numeric_uminus,
															   NumericGetDatum(value))),
						   limit) < 0;
}

PG_FUNCTION_INFO_V1(arcollect_text_fits);

/*
 * arcollect.ledger_text_fits(text): ledger_text_fits for the SQL
 * statements (and for users).  The three rules are public SQL functions:
 * reconcile runs the statements with its caller's rights.
 */
Datum
arcollect_text_fits(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ledger_text_fits(PG_GETARG_DATUM(0)));
}

PG_FUNCTION_INFO_V1(arcollect_date_usable);

/* arcollect.ledger_date_usable(date), the same for dates. */
Datum
arcollect_date_usable(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ledger_date_usable(PG_GETARG_DATEADT(0)));
}

PG_FUNCTION_INFO_V1(arcollect_amount_usable);

/*
 * arcollect.ledger_amount_usable(numeric), the same for amounts; the limit
 * is made once per call site.
 */
Datum
arcollect_amount_usable(PG_FUNCTION_ARGS)
{
	Numeric		limit = (Numeric) fcinfo->flinfo->fn_extra;

	if (limit == NULL)
	{
		limit = ledger_amount_limit(fcinfo->flinfo->fn_mcxt);
		fcinfo->flinfo->fn_extra = limit;
	}
	PG_RETURN_BOOL(ledger_amount_usable(PG_GETARG_NUMERIC(0), limit, NULL));
}

PG_FUNCTION_INFO_V1(arcollect_key_digest);

/*
 * arcollect._key_digest(text): the SHA-256 digest of a key's bytes, which
 * the quarantine's unique index holds instead of the key (keys of any
 * length are quarantined).  A cryptographic digest, so that no two keys
 * written on purpose can share one.  Internal, and not declared STRICT:
 * the planner folds a strict call with a NULL argument without checking
 * the caller's right to execute it.
 */
Datum
arcollect_key_digest(PG_FUNCTION_ARGS)
{
	text	   *key;
	bytea	   *result;
	pg_cryptohash_ctx *ctx;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	key = PG_GETARG_TEXT_PP(0);
	result = palloc(VARHDRSZ + PG_SHA256_DIGEST_LENGTH);
	ctx = pg_cryptohash_create(PG_SHA256);
	if (pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key)) < 0 ||
		pg_cryptohash_final(ctx, (uint8 *) VARDATA(result), PG_SHA256_DIGEST_LENGTH) < 0)
		elog(ERROR, "arcollect: could not compute a SHA-256 digest: %s",
			 pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	SET_VARSIZE(result, VARHDRSZ + PG_SHA256_DIGEST_LENGTH);
	PG_RETURN_BYTEA_P(result);
}
