/*-------------------------------------------------------------------------
 *
 * currency.c
 *	  The ISO 4217 currency codes the receivables ledger accepts.
 *
 * The billing-table trigger checks every row's currency against this list
 * (an unknown code sends the row to quarantine), so the check has to cost
 * next to nothing: a binary search in a sorted static array, with no table
 * to read and nothing to keep in sync at run time.  The list holds the
 * active ISO 4217 codes plus a few recently withdrawn ones that old
 * invoices still carry (HRK, SLL, ZWL, CUC); it leaves out XTS (reserved
 * for testing) and XXX (no currency), which no invoice should use.
 *
 * Beside the list, each code's minor unit (ISO 4217's number of decimal
 * digits: 2 for EUR, 0 for JPY, 3 for KWD), which arcollect.round_money
 * rounds amounts to.  Most codes have 2, so only the others are listed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdlib.h>

#include "fmgr.h"
#include "utils/builtins.h"

#include "currency.h"

/* Sorted in strcmp order: bsearch relies on it. */
static const char *const currency_codes[] = {
	"AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN",
	"BAM", "BBD", "BDT", "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV",
	"BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
	"CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU",
	"CRC", "CUC", "CUP", "CVE", "CZK",
	"DJF", "DKK", "DOP", "DZD",
	"EGP", "ERN", "ETB", "EUR",
	"FJD", "FKP",
	"GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD",
	"HKD", "HNL", "HRK", "HTG", "HUF",
	"IDR", "ILS", "INR", "IQD", "IRR", "ISK",
	"JMD", "JOD", "JPY",
	"KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT",
	"LAK", "LBP", "LKR", "LRD", "LSL", "LYD",
	"MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
	"MWK", "MXN", "MXV", "MYR", "MZN",
	"NAD", "NGN", "NIO", "NOK", "NPR", "NZD",
	"OMR",
	"PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG",
	"QAR",
	"RON", "RSD", "RUB", "RWF",
	"SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS",
	"SRD", "SSP", "STN", "SVC", "SYP", "SZL",
	"THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS",
	"UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS",
	"VED", "VES", "VND", "VUV",
	"WST",
	"XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG", "XDR",
	"XOF", "XPD", "XPF", "XPT", "XSU", "XUA",
	"YER",
	"ZAR", "ZMW", "ZWG", "ZWL",
};

static int
compare_code(const void *key, const void *member)
{
	return strcmp((const char *) key, *(const char *const *) member);
}

/*
 * True when code is exactly one of the three-letter codes above.  Case
 * matters: the ledger upper-cases codes before it asks.
 */
bool
arc_currency_code_known(const char *code, int len)
{
	char		buf[4];

	if (len != 3)
		return false;
	memcpy(buf, code, 3);
	buf[3] = '\0';
	return bsearch(buf, currency_codes, lengthof(currency_codes),
				   sizeof(currency_codes[0]), compare_code) != NULL;
}

PG_FUNCTION_INFO_V1(arcollect_is_currency_code);

/*
 * arcollect.is_currency_code(code text) returns boolean: whether code is a
 * known ISO 4217 code, compared exactly (callers upper-case first).
 */
Datum
arcollect_is_currency_code(PG_FUNCTION_ARGS)
{
	text	   *code = PG_GETARG_TEXT_PP(0);

	PG_RETURN_BOOL(arc_currency_code_known(VARDATA_ANY(code),
									   VARSIZE_ANY_EXHDR(code)));
}

/*
 * The codes of the list above whose minor unit is not 2, sorted in strcmp
 * order; -1 where ISO 4217 gives none (precious metals, the SDR, the
 * bond-market units): an amount in them is not rounded.
 */
typedef struct CurrencyMinorUnit
{
	char		code[4];
	int			minor_unit;
} CurrencyMinorUnit;

static const CurrencyMinorUnit minor_units[] = {
	{"BHD", 3}, {"BIF", 0}, {"CLF", 4}, {"CLP", 0}, {"DJF", 0},
	{"GNF", 0}, {"IQD", 3}, {"ISK", 0}, {"JOD", 3}, {"JPY", 0},
	{"KMF", 0}, {"KRW", 0}, {"KWD", 3}, {"LYD", 3}, {"OMR", 3},
	{"PYG", 0}, {"RWF", 0}, {"TND", 3}, {"UGX", 0}, {"UYI", 0},
	{"UYW", 4}, {"VND", 0}, {"VUV", 0}, {"XAF", 0}, {"XAG", -1},
	{"XAU", -1}, {"XBA", -1}, {"XBB", -1}, {"XBC", -1}, {"XBD", -1},
	{"XDR", -1}, {"XOF", 0}, {"XPD", -1}, {"XPF", 0}, {"XPT", -1},
	{"XSU", -1}, {"XUA", -1},
};

static int
compare_minor_unit(const void *key, const void *member)
{
	return strcmp((const char *) key, ((const CurrencyMinorUnit *) member)->code);
}

PG_FUNCTION_INFO_V1(arcollect_currency_minor_unit);

/*
 * arcollect.currency_minor_unit(code text) returns integer: the number of
 * decimal digits of the currency's minor unit, NULL when ISO 4217 gives it
 * none.  A code not in the list is an error (the ledger's check is
 * is_currency_code; here a wrong code would round money wrongly).
 */
Datum
arcollect_currency_minor_unit(PG_FUNCTION_ARGS)
{
	text	   *code = PG_GETARG_TEXT_PP(0);
	int			len = VARSIZE_ANY_EXHDR(code);
	char		buf[4];
	const CurrencyMinorUnit *found;

	if (!arc_currency_code_known(VARDATA_ANY(code), len))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown currency code \"%s\"", text_to_cstring(code)),
				 errdetail("A currency is an ISO 4217 code of three upper-case letters."),
				 errhint("Check the code (EUR, GBP, USD, JPY, ...).")));
	memcpy(buf, VARDATA_ANY(code), 3);
	buf[3] = '\0';
	found = bsearch(buf, minor_units, lengthof(minor_units),
					sizeof(minor_units[0]), compare_minor_unit);
	if (found == NULL)
		PG_RETURN_INT32(2);
	if (found->minor_unit < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(found->minor_unit);
}
