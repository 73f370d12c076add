-- Contact rules: how often, and when, a customer may be contacted on
-- each channel.  One row per channel, all six always there (the
-- installed values below; admins edit them, and cannot delete one), read
-- by arcollect.contact_decision (sql/code/contact_rule.sql), the one
-- definition of whether and when a touchpoint may be made.
--
-- The installed values follow US Regulation F (12 CFR 1006), which
-- binds third-party collectors of consumer debt and is good practice for
-- everyone else:
--   call     at most 7 in 7 consecutive days, and none in the 7 days
--            after a call that reached the customer (the day of the
--            conversation is day one): 1006.14(b)(2);
--   window   08:00 to 21:00 in the customer's own time zone, every
--            channel: before 8 a.m. and after 9 p.m. is presumed
--            inconvenient, 1006.6(b)(1)(i).
-- The other channels have no statutory cap; the installed ones are
-- generous enough for the installed ladder (two emails four days apart,
-- letters a month apart) and a collector's own messages, and stop a
-- customer being flooded:
--   email, sms, portal  3 in 7 days (a reminder, a follow-up and one
--                       more a week: more reads as spam, and each text or
--                       email must offer an opt-out anyway);
--   letter              1 in 7 days (post takes days; two letters
--                       crossing in the mail confuse more than they
--                       collect);
--   meeting             1 in 7 days.
--
-- seeded marks a rule as installed and not edited since: pg_dump leaves
-- such rows out (every install, so every restore, makes them).  As for
-- escalation policies, any UPDATE makes the rule the user's for good
-- (seeded false, who and when recorded), so that the dump keeps it, and a
-- user's row inserted for a channel whose rule is still seeded replaces
-- it (what a restore does).  The triggers are in sql/code/contact_rule.sql.

CREATE TABLE arcollect.contact_rule (
    channel                   text COLLATE "C" PRIMARY KEY
                              CONSTRAINT contact_rule_channel_known
                              CHECK (channel IN ('email', 'call', 'sms', 'letter', 'portal', 'meeting')),
    max_attempts              integer NOT NULL
                              CONSTRAINT contact_rule_max_attempts_positive CHECK (max_attempts > 0),
    -- a year at most: contact_decision looks 60 days ahead, and counts
    -- the touchpoints of per_days days either side of each day it tries
    per_days                  integer NOT NULL
                              CONSTRAINT contact_rule_per_days_range CHECK (per_days BETWEEN 1 AND 366),
    window_start              time NOT NULL DEFAULT '08:00',
    window_end                time NOT NULL DEFAULT '21:00',
    pause_after_reached_days  integer NOT NULL DEFAULT 0
                              CONSTRAINT contact_rule_pause_range CHECK (pause_after_reached_days BETWEEN 0 AND 366),
    seeded                    boolean NOT NULL DEFAULT false,
    -- NULL for the installed rules
    changed_by                name DEFAULT current_user,
    changed_at                timestamptz DEFAULT pg_catalog.now(),
    -- a window within one day (a night window would be two rules)
    CONSTRAINT contact_rule_window_order CHECK (window_start < window_end)
) USING heap;

COMMENT ON TABLE arcollect.contact_rule IS
'Contact rules, one row per channel: at most max_attempts outbound touchpoints in any per_days consecutive days, within window_start to window_end in the customer''s own time zone, none in the pause_after_reached_days days after one that reached the customer. Read by arcollect.contact_decision; admins edit the rows, none can be deleted.';
COMMENT ON COLUMN arcollect.contact_rule.channel IS 'The channel the rule is for: email, call, sms, letter, portal or meeting.';
COMMENT ON COLUMN arcollect.contact_rule.max_attempts IS 'At most this many outbound touchpoints on the channel (planned or done) in any per_days consecutive days of the customer''s time zone; positive.';
COMMENT ON COLUMN arcollect.contact_rule.per_days IS 'Length in days of the rolling window of max_attempts, in the customer''s local days (1 to 366).';
COMMENT ON COLUMN arcollect.contact_rule.window_start IS 'Earliest local time of day (customer''s time zone) a touchpoint on the channel may be made; 08:00 by default.';
COMMENT ON COLUMN arcollect.contact_rule.window_end IS 'Local time of day (customer''s time zone) from which no touchpoint on the channel may be made until the next day''s window_start; 21:00 by default. After window_start.';
COMMENT ON COLUMN arcollect.contact_rule.pause_after_reached_days IS 'After a done touchpoint on the channel with outcome reached, no other on it for this many local days, the day of the conversation being day one (7 for calls); 0 for none.';
COMMENT ON COLUMN arcollect.contact_rule.seeded IS 'True while the rule is as the extension installed it: pg_dump leaves it out (a restore installs it again). Any edit sets it to false for good, and the rule is dumped.';
COMMENT ON COLUMN arcollect.contact_rule.changed_by IS 'Role that last changed the rule; NULL for a rule as installed.';
COMMENT ON COLUMN arcollect.contact_rule.changed_at IS 'When the rule was last changed; NULL for a rule as installed.';

-- The installed rules (before the triggers of sql/code/ exist, which
-- would make them the user's).
INSERT INTO arcollect.contact_rule
       (channel, max_attempts, per_days, window_start, window_end, pause_after_reached_days,
        seeded, changed_by, changed_at)
VALUES ('email', 3, 7, '08:00', '21:00', 0, true, NULL, NULL),
       ('call', 7, 7, '08:00', '21:00', 7, true, NULL, NULL),
       ('sms', 3, 7, '08:00', '21:00', 0, true, NULL, NULL),
       ('letter', 1, 7, '08:00', '21:00', 0, true, NULL, NULL),
       ('portal', 3, 7, '08:00', '21:00', 0, true, NULL, NULL),
       ('meeting', 1, 7, '08:00', '21:00', 0, true, NULL, NULL);

SELECT pg_catalog.pg_extension_config_dump('arcollect.contact_rule', 'WHERE NOT seeded');
