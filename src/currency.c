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
