-- What one touchpoint costs, per channel and currency: the cost side of
-- arcollect.collector_performance (its cost per collection).  Empty at
-- install, since costs are each organisation's own: an admin sets one per
-- channel in each currency collections are reported in (an email a few
-- cents, a call a few euros of a collector's time, a letter its postage).

CREATE TABLE arcollect.channel_cost (
    channel              text COLLATE "C" NOT NULL
                         CONSTRAINT channel_cost_channel_known
                         CHECK (channel IN ('email', 'call', 'sms', 'letter', 'portal', 'meeting')),
    currency             text NOT NULL
                         CONSTRAINT channel_cost_currency_known CHECK (arcollect.is_currency_code(currency)),
    -- (numeric's NaN sorts above 'Infinity': < 'Infinity' refuses both)
    cost_per_touchpoint  numeric NOT NULL
                         CONSTRAINT channel_cost_not_negative
                         CHECK (cost_per_touchpoint >= 0 AND cost_per_touchpoint < 'Infinity'),
    PRIMARY KEY (channel, currency)
) USING heap;

COMMENT ON TABLE arcollect.channel_cost IS
'The cost of one touchpoint done on a channel, in a currency, for arcollect.collector_performance. Empty until an admin sets the costs; a touchpoint on a channel without a cost in its currency adds nothing to the cost.';
COMMENT ON COLUMN arcollect.channel_cost.channel IS 'The channel: email, call, sms, letter, portal or meeting.';
COMMENT ON COLUMN arcollect.channel_cost.currency IS 'Currency of the cost (ISO 4217); collector_performance applies it to the rows of that currency.';
COMMENT ON COLUMN arcollect.channel_cost.cost_per_touchpoint IS 'What one touchpoint done on the channel costs, 0 or more.';

SELECT pg_catalog.pg_extension_config_dump('arcollect.channel_cost', '');
