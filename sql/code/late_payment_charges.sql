-- Late-payment charges: the statutory interest and fixed compensation a
-- creditor may claim on a late invoice.  Pure functions of their
-- arguments; what is claimed, and for which invoices, is in
-- sql/code/late_fee_claim.sql.

-- Simple interest, open_amount × annual_rate × days_overdue / 365, with
-- days_overdue = as_of - due_on: interest runs from the day after the due
-- date, so as_of = due_on gives 0 and the day after gives one day's.  The
-- year has 365 days, leap years too: a fixed daily rate of annual_rate /
-- 365, as the UK's guidance on the act computes it.  The rate is a
-- fraction: 0.105 is 10.5 % a year.
--
-- The result is not rounded: it is the formula's value in numeric
-- arithmetic (the multiplications exact, the division by 365 last, to at
-- least 16 significant digits), so that sums of several interests round
-- once.  An amount to bill is arcollect.round_money(interest, currency).
--
-- plpgsql, not an inlinable SQL function: a negative rate must be an
-- error, which SQL cannot raise.
CREATE OR REPLACE FUNCTION arcollect.late_payment_interest(open_amount numeric,
                                                           due_on date,
                                                           as_of date,
                                                           annual_rate numeric)
RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF annual_rate < 0 THEN
        RAISE EXCEPTION 'annual rate % is negative', annual_rate
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Late-payment interest is charged at a rate of zero or more.',
                  HINT = 'Give the yearly rate as a fraction: 0.105 for 10.5 %.';
    END IF;
    IF open_amount <= 0 OR as_of <= due_on THEN
        RETURN 0;
    END IF;
    RETURN open_amount * annual_rate * (as_of - due_on) / 365;
END
$fn$;

COMMENT ON FUNCTION arcollect.late_payment_interest(numeric, date, date, numeric) IS
'Simple late-payment interest on open_amount at annual_rate (a fraction: 0.105 is 10.5 % a year) from the day after due_on to as_of: open_amount × annual_rate × (as_of - due_on) / 365, 365 days in every year. 0 when as_of is not after due_on or nothing is open. Not rounded: arcollect.round_money rounds it to the currency. NULL when an argument is NULL; a negative rate is an error (SQLSTATE 22023).';

-- The fixed compensation for the costs of recovering a late payment,
-- under the law of a regime, in its currency:
--   eu  EU Late Payment Directive (2011/7/EU): EUR 40 per late payment;
--   uk  Late Payment of Commercial Debts (Interest) Act 1998: GBP 40 for
--       a debt below 1,000, 70 from 1,000 to below 10,000, 100 from
--       10,000.
-- The sums are set in the regime's currency and arcollect converts no
-- currency, so an amount in another one is an error rather than a wrong
-- band.  Nothing is due on nothing: 0 when amount <= 0.
CREATE OR REPLACE FUNCTION arcollect.late_payment_compensation(amount numeric,
                                                               currency text,
                                                               regime text)
RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    regime_currency text := CASE regime WHEN 'eu' THEN 'EUR' WHEN 'uk' THEN 'GBP' END;
BEGIN
    IF regime_currency IS NULL THEN
        RAISE EXCEPTION 'unknown late-payment regime "%"', regime
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The regimes are eu (EU Late Payment Directive) and uk (Late Payment of Commercial Debts (Interest) Act).',
                  HINT = 'Give eu or uk.';
    END IF;
    IF currency IS DISTINCT FROM regime_currency THEN
        RAISE EXCEPTION 'late-payment regime "%" compensates in %, not %', regime, regime_currency, currency
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The fixed sums are set in the regime''s currency, and arcollect does not convert currencies.',
                  HINT = format('Claim compensation under regime %s on amounts in %s only.', regime, regime_currency);
    END IF;
    IF amount <= 0 THEN
        RETURN 0;
    END IF;
    RETURN CASE
        WHEN regime = 'eu' THEN 40
        WHEN amount < 1000 THEN 40
        WHEN amount < 10000 THEN 70
        ELSE 100
    END;
END
$fn$;

COMMENT ON FUNCTION arcollect.late_payment_compensation(numeric, text, text) IS
'Fixed compensation for a late payment of amount (in currency) under regime eu (EUR 40) or uk (GBP 40 below 1,000, 70 from 1,000 to below 10,000, 100 from 10,000); 0 when amount <= 0. An unknown regime, or a currency that is not the regime''s (EUR for eu, GBP for uk: no currency is converted), is an error (SQLSTATE 22023); NULL when an argument is NULL.';
