/*-------------------------------------------------------------------------
 *
 * ledger_read.c
 *	  Reading the mapped columns of a billing row in C, as the SQL
 *	  statements read them.
 *
 * The trigger's fast path (ledger_fastpath.c) books new invoices without
 * SQL, so it must read a billing row exactly as _invoice_rows_sql in
 * ledger_sync.sql does: each mapped column converted to the ledger's
 * type the way its cast would (text by the type's cast to text or output
 * function, integers to numeric, timestamps to dates in the pinned time
 * zone), the currency and status read by the booking rules of
 * ledger_rules.c, which the SQL statements call too.  A row reader is
 * built once per attachment (ledger_reader_build) and returns, for each
 * row, the values the ledger books, or the reason the booking rules give
 * for leaving the row out (ledger_read_invoice).  A table with a column
 * C cannot read as SQL does gets no reader: the SQL statement books it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "catalog/pg_cast.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "exact_sum.h"
#include "ledger_read.h"
#include "ledger_values.h"

/* How a mapped billing column becomes a ledger value. */
typedef struct MappedColumn
{
	AttrNumber	attnum;			/* 0: not mapped */
	Oid			basetype;		/* the column's type, domains resolved */
	FmgrInfo	output;			/* its output function, for text */
} MappedColumn;

/*
 * The last currency and status seen in a statement, with what was made of
 * them: consecutive rows mostly repeat both, and checking a currency code
 * or a status list again for each would cost more than comparing bytes.
 */
typedef struct RowMemo
{
	char		currency_in[8];
	int			currency_len;	/* -1: nothing remembered */
	text	   *currency;		/* what it reads as; allocated once */
	char		status_in[32];
	int			status_len;		/* -1: nothing remembered */
	bool		is_void;
	bool		is_credit;
} RowMemo;

struct LedgerReader
{
	MappedColumn col[LEDGER_NMAPPED];
	text	   *default_currency;	/* NULL when none */
	Numeric		amount_limit;	/* see ledger_amount_usable */
	Numeric		zero;
	int			nvoid;
	char	  **void_statuses;	/* folded by attach */
	int			ncredit;
	char	  **credit_statuses;
	RowMemo		memo;
};

/* Copies a text[] of status values into C strings. */
static char **
status_list(ArrayType *array, int *count)
{
	Datum	   *elems;
	bool	   *nulls;
	char	  **result;
	int			i,
				n = 0;

	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, count);
	result = palloc(sizeof(char *) * Max(*count, 1));
	for (i = 0; i < *count; i++)
		if (!nulls[i])
			result[n++] = TextDatumGetCString(elems[i]);
	*count = n;
	return result;
}

/*
 * Whether C reads a column of this (base) type as text the way
 * the SQL statements do (ledger_sync.sql, _text_sql): a built-in type by
 * its cast to text, a type defined in the database by its output function.
 * column_text uses the output function, which is what a cast by I/O
 * conversion or a binary-coercible cast gives too; of the built-in types
 * with a cast function, it handles bpchar and name, and leaves the rest
 * (boolean's cast says "true" where its output says "t", inet's adds the
 * netmask) to the SQL statements.
 */
static bool
reads_as_sql_text(Oid basetype)
{
	HeapTuple	tuple;
	bool		same;

	if (basetype >= FirstNormalObjectId || basetype == TEXTOID ||
		basetype == BPCHAROID || basetype == NAMEOID)
		return true;
	tuple = SearchSysCache2(CASTSOURCETARGET, ObjectIdGetDatum(basetype),
							ObjectIdGetDatum(TEXTOID));
	if (!HeapTupleIsValid(tuple))
		return true;			/* I/O conversion: the output function */
	same = ((Form_pg_cast) GETSTRUCT(tuple))->castmethod != COERCION_METHOD_FUNCTION;
	ReleaseSysCache(tuple);
	return same;
}

/*
 * Builds the row reader of a billing table whose mapped column names are
 * colnames (in LedgerMapped order, NULL where unmapped), in cxt; NULL when
 * C cannot read one of them as the SQL statements do (see
 * reads_as_sql_text).  The caller has checked that the columns exist and
 * have types their parameters accept.  Must be called inside an SPI
 * connection (for SPI_fnumber's sake only; no query is run).
 */
LedgerReader *
ledger_reader_build(MemoryContext cxt, Relation billing, const char *const *colnames,
					Datum default_currency, bool default_currency_null,
					Datum void_statuses, Datum credit_statuses)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	LedgerReader *reader = palloc0(sizeof(LedgerReader));
	TupleDesc	desc = RelationGetDescr(billing);
	int			i;

	for (i = 0; i < LEDGER_NMAPPED; i++)
	{
		MappedColumn *col = &reader->col[i];
		Oid			typoutput;
		bool		isvarlena;
		int			attnum;

		if (colnames[i] == NULL)
			continue;
		attnum = SPI_fnumber(desc, colnames[i]);
		if (attnum <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of table %s does not exist",
							colnames[i], RelationGetRelationName(billing)),
					 errhint("Attach the table again with arcollect.attach.")));
		col->attnum = attnum;
		col->basetype = getBaseType(TupleDescAttr(desc, attnum - 1)->atttypid);
		if (!reads_as_sql_text(col->basetype))
		{
			MemoryContextSwitchTo(old);
			return NULL;
		}
		getTypeOutputInfo(TupleDescAttr(desc, attnum - 1)->atttypid, &typoutput, &isvarlena);
		fmgr_info_cxt(typoutput, &col->output, cxt);
	}
	reader->default_currency = default_currency_null ? NULL :
		DatumGetTextPCopy(default_currency);
	reader->amount_limit = ledger_amount_limit(cxt);
	reader->zero = int64_to_numeric(0);
	reader->void_statuses = status_list(DatumGetArrayTypeP(void_statuses), &reader->nvoid);
	reader->credit_statuses = status_list(DatumGetArrayTypeP(credit_statuses), &reader->ncredit);
	reader->memo.currency = palloc(VARHDRSZ + sizeof(reader->memo.currency_in));
	ledger_reader_begin(reader);
	MemoryContextSwitchTo(old);
	return reader;
}

/* Forgets what the last statement's rows were: call before each statement. */
void
ledger_reader_begin(LedgerReader *reader)
{
	reader->memo.currency_len = -1;
	reader->memo.status_len = -1;
}

/* A mapped column as text, as (column)::text does in SQL; NULL if NULL. */
static text *
column_text(MappedColumn *col, TupleTableSlot *slot, bool *isnull)
{
	Datum		value = slot_getattr(slot, col->attnum, isnull);

	if (*isnull)
		return NULL;
	switch (col->basetype)
	{
		case TEXTOID:
		case VARCHAROID:
			return DatumGetTextPP(value);
		case BPCHAROID:
			/* bpchar::text drops the trailing blanks */
			return DatumGetTextPP(DirectFunctionCall1(rtrim1, value));
		case INT2OID:
		case INT4OID:
		case INT8OID:
			{
				/* integer keys are the common case: skip the output function */
				text	   *t = palloc(VARHDRSZ + MAXINT8LEN + 1);
				int64		n = col->basetype == INT8OID ? DatumGetInt64(value) :
				col->basetype == INT4OID ? DatumGetInt32(value) : DatumGetInt16(value);

				SET_VARSIZE(t, VARHDRSZ + pg_lltoa(n, VARDATA(t)));
				return t;
			}
		default:
			return cstring_to_text(OutputFunctionCall(&col->output, value));
	}
}

static Datum
column_numeric(MappedColumn *col, TupleTableSlot *slot, bool *isnull)
{
	Datum		value = slot_getattr(slot, col->attnum, isnull);

	if (*isnull)
		return (Datum) 0;
	switch (col->basetype)
	{
		case INT2OID:
			return DirectFunctionCall1(int2_numeric, value);
		case INT4OID:
			return DirectFunctionCall1(int4_numeric, value);
		case INT8OID:
			return DirectFunctionCall1(int8_numeric, value);
		default:
			return value;
	}
}

static Datum
column_date(MappedColumn *col, TupleTableSlot *slot, bool *isnull)
{
	Datum		value = slot_getattr(slot, col->attnum, isnull);

	if (*isnull)
		return (Datum) 0;
	switch (col->basetype)
	{
		case TIMESTAMPOID:
			return DirectFunctionCall1(timestamp_date, value);
		case TIMESTAMPTZOID:
			return DirectFunctionCall1(timestamptz_date, value);
		default:
			return value;
	}
}


/*
 * The row's currency as ledger_currency_of reads it (NULL when it has
 * none), remembered for the next row.
 */
static text *
row_currency(LedgerReader *reader, TupleTableSlot *slot)
{
	bool		isnull = true;
	text	   *raw = NULL;
	text	   *code;
	int			len;

	RowMemo    *memo = &reader->memo;

	if (reader->col[LEDGER_CURRENCY].attnum != 0)
		raw = column_text(&reader->col[LEDGER_CURRENCY], slot, &isnull);
	if (raw == NULL)
		return reader->default_currency;
	len = VARSIZE_ANY_EXHDR(raw);
	if (len == memo->currency_len && memcmp(VARDATA_ANY(raw), memo->currency_in, len) == 0)
		return memo->currency;
	code = ledger_currency_of(raw, NULL);
	/* (trimming only shortens it) */
	if (len <= sizeof(memo->currency_in))
	{
		/* remembered for the statement, outside the row's memory */
		memcpy(memo->currency_in, VARDATA_ANY(raw), len);
		memo->currency_len = len;
		Assert(VARSIZE(code) <= VARHDRSZ + sizeof(memo->currency_in));
		memcpy(memo->currency, code, VARSIZE(code));
	}
	return code;
}

/*
 * Whether the status, folded, is one of list (folded by attach).  The
 * folding is arcollect.ascii_lower's: ASCII letters to lower case, every
 * other byte as it is.
 */
static bool status_in(text *status, char **list, int n);

/* What the status says: void, credit note. */
static void
row_status(LedgerReader *reader, text *status, bool *is_void, bool *is_credit)
{
	RowMemo    *memo = &reader->memo;
	int			len = status == NULL ? -2 : VARSIZE_ANY_EXHDR(status);

	if (len != memo->status_len ||
		(status != NULL && memcmp(VARDATA_ANY(status), memo->status_in, len) != 0))
	{
		memo->is_void = status_in(status, reader->void_statuses, reader->nvoid);
		memo->is_credit = status_in(status, reader->credit_statuses, reader->ncredit);
		memo->status_len = -1;
		if (len <= (int) sizeof(memo->status_in))
		{
			if (status != NULL)
				memcpy(memo->status_in, VARDATA_ANY(status), len);
			memo->status_len = len;
		}
	}
	*is_void = memo->is_void;
	*is_credit = memo->is_credit;
}

static bool
status_in(text *status, char **list, int n)
{
	char	   *s;
	int			i;

	if (status == NULL || n == 0)
		return false;
	s = text_to_cstring(status);
	ledger_ascii_fold(s, strlen(s), false);
	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}


/*
 * Reads the mapped columns of the billing row in slot into row, as
 * _invoice_rows_sql does.  Returns NULL when the row can be booked, else
 * the reason the booking rules (ledger_rules.c) give for leaving it out.
 * The caller has pinned the session settings (ledger_settings.c): columns
 * are read as text and timestamps as dates with them, as the SQL
 * statements read them.  What row points to lives in the current memory
 * context (or in the reader).
 */
const char *
ledger_read_invoice(LedgerReader *reader, TupleTableSlot *slot, LedgerInvoiceRow *row)
{
	MappedColumn *col = reader->col;
	LedgerInvoiceValues *v = &row->values;
	const char *problem;
	bool		isnull;
	Datum		d;

	v->key = column_text(&col[LEDGER_KEY], slot, &isnull);
	v->customer = column_text(&col[LEDGER_CUSTOMER], slot, &isnull);
	v->owner = col[LEDGER_OWNER].attnum == 0 ? NULL :
		column_text(&col[LEDGER_OWNER], slot, &isnull);
	row->amount = column_numeric(&col[LEDGER_AMOUNT], slot, &isnull);
	v->amount = isnull ? NULL : DatumGetNumeric(row->amount);

	/* the paid column NULL reads as 0, the open column NULL as missing */
	v->paid_or_open = reader->zero;
	if (col[LEDGER_PAID].attnum != 0)
	{
		d = column_numeric(&col[LEDGER_PAID], slot, &isnull);
		if (!isnull)
			v->paid_or_open = DatumGetNumeric(d);
	}
	else if (col[LEDGER_OPEN].attnum != 0)
	{
		d = column_numeric(&col[LEDGER_OPEN], slot, &isnull);
		v->paid_or_open = isnull ? NULL : DatumGetNumeric(d);
	}

	d = column_date(&col[LEDGER_ISSUED], slot, &isnull);
	v->has_issued = !isnull;
	v->issued = DatumGetDateADT(d);
	d = column_date(&col[LEDGER_DUE], slot, &isnull);
	v->has_due = !isnull;
	v->due = DatumGetDateADT(d);
	v->has_paid_on = false;
	v->paid_on = 0;
	if (col[LEDGER_PAID_ON].attnum != 0)
	{
		d = column_date(&col[LEDGER_PAID_ON], slot, &isnull);
		v->has_paid_on = !isnull;
		v->paid_on = DatumGetDateADT(d);
	}

	v->currency = row_currency(reader, slot);
	row->status = col[LEDGER_STATUS].attnum == 0 ? NULL :
		column_text(&col[LEDGER_STATUS], slot, &isnull);
	row_status(reader, row->status, &row->is_void, &v->is_credit);

	problem = ledger_invoice_problem(v, reader->amount_limit);
	if (problem != NULL)
		return problem;
	/* both below the limit: amount - open cannot overflow */
	row->paid = col[LEDGER_OPEN].attnum != 0 ?
		DirectFunctionCall2(numeric_sub, row->amount, NumericGetDatum(v->paid_or_open)) :
		NumericGetDatum(v->paid_or_open);
	return NULL;
}
