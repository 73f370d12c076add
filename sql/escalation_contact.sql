-- Contact rules: arcollect.contact_decision on worked examples.  The
-- installed rules; contact windows in four time zones (New York, Berlin
-- and Sydney across their changes to and from summer time, Tokyo, which
-- has none) with the session's TimeZone set to zones of their own, twice,
-- giving the same instants; a window opening at a time a change skips or
-- shows twice (arcollect.local_instant); the 8th call in 7 days deferred;
-- no call in the 7 days after a call that reached the customer (the day
-- of the call is day one, in the customer's days); do-not-contact and
-- opt-out skipped with their reason; a deferral longer than 60 days
-- skipped; refused arguments; and edits of the rules: ar_admin's, which
-- make a rule the user's, and what the table and a collector may not do.
-- (Other tests' customers are in the database too: this one's are cr_*.)
\set SHOW_CONTEXT never
SET datestyle = ISO;
CREATE ROLE bi_reader NOLOGIN;
CREATE ROLE collector NOLOGIN;
CREATE ROLE ar_admin NOLOGIN;
-- (not echoed: the grants change as objects are added; the test shows
-- what they allow)
\set ECHO none
\i doc/ledger_roles.sql
\set ECHO all

-- A refused statement shows its SQLSTATE and message.
CREATE FUNCTION pg_temp.refused(statement text) RETURNS text LANGUAGE plpgsql AS $fn$
BEGIN
    EXECUTE statement;
    RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END
$fn$;

-- The decision for a customer and channel, the time wanted given on the
-- customer's clock; times shown on that clock (weekday, date, time) and
-- in UTC, so that the output does not depend on the session's TimeZone.
CREATE FUNCTION pg_temp.decide(customer text, channel text, wanted_local timestamp)
RETURNS TABLE (wanted text, decision text, planned_local text, planned_utc text, reason text)
LANGUAGE sql AS $fn$
SELECT to_char(wanted_local, 'Dy YYYY-MM-DD HH24:MI'), d.decision,
       to_char(d.planned_for AT TIME ZONE c.time_zone, 'Dy YYYY-MM-DD HH24:MI'),
       to_char(d.planned_for AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), d.reason
  FROM arcollect.customer c,
       arcollect.contact_decision(c.customer_id, channel, wanted_local AT TIME ZONE c.time_zone) d
 WHERE c.customer_id = customer
$fn$;

-- The installed rules: calls 7 in 7 days and a 7-day pause after a
-- call that reached the customer (Regulation F); 3 emails, texts or
-- portal messages and 1 letter or meeting in 7 days; 08:00 to 21:00
-- everywhere.
SELECT channel, max_attempts, per_days, window_start, window_end, pause_after_reached_days, seeded,
       changed_by, changed_at
  FROM arcollect.contact_rule ORDER BY channel;

INSERT INTO arcollect.customer (customer_id, name, time_zone) VALUES
    ('cr_newyork', 'New York', 'America/New_York'),
    ('cr_berlin', 'Berlin', 'Europe/Berlin'),
    ('cr_tokyo', 'Tokyo', 'Asia/Tokyo'),
    ('cr_sydney', 'Sydney', 'Australia/Sydney');

-- Contact windows.  2025's changes: New York to summer time on Sunday
-- 9 March (02:00 -> 03:00), back on Sunday 2 November (02:00 -> 01:00);
-- Berlin on 30 March and 26 October; Sydney back on 6 April (03:00 ->
-- 02:00), to summer time on 5 October; Tokyo never.  On each customer's
-- clock: 07:30 is deferred to 08:00 the same day, 21:30 and 21:00 (the
-- window ends before 21:00) to 08:00 the next day, 08:00 and 20:59 are
-- ok.  Across a change the hours between wanted and planned_for differ
-- (21:30 Saturday to 08:00 Sunday is 9.5 hours when the clock springs
-- forward, 11.5 when it falls back), and the UTC offset of 08:00 changes.
-- The session's TimeZone is Chatham's (UTC+13:45, with a summer time of
-- its own), then Los Angeles': the two runs give the same instants.
CREATE TEMP TABLE window_case (customer text, wanted_local timestamp);
INSERT INTO window_case VALUES
    ('cr_newyork', '2025-03-08 07:30'), ('cr_newyork', '2025-03-08 21:30'), ('cr_newyork', '2025-03-09 07:30'),
    ('cr_newyork', '2025-03-09 08:00'), ('cr_newyork', '2025-03-09 20:59'), ('cr_newyork', '2025-03-09 21:00'),
    ('cr_newyork', '2025-11-01 21:30'), ('cr_newyork', '2025-11-02 07:30'),
    ('cr_berlin', '2025-03-29 21:30'), ('cr_berlin', '2025-03-30 07:30'), ('cr_berlin', '2025-10-25 21:30'),
    ('cr_berlin', '2025-10-26 07:30'),
    ('cr_sydney', '2025-04-05 21:30'), ('cr_sydney', '2025-04-06 07:30'), ('cr_sydney', '2025-10-04 21:30'),
    ('cr_sydney', '2025-10-05 07:30'),
    ('cr_tokyo', '2025-03-08 21:30'), ('cr_tokyo', '2025-03-09 07:30'), ('cr_tokyo', '2025-03-09 12:00');

SET TimeZone = 'Pacific/Chatham';
CREATE TEMP TABLE window_run1 AS
SELECT w.customer, d.*, p.planned_for - (w.wanted_local AT TIME ZONE c.time_zone) AS waited
  FROM window_case w
  JOIN arcollect.customer c ON c.customer_id = w.customer
 CROSS JOIN pg_temp.decide(w.customer, 'call', w.wanted_local) d
 CROSS JOIN arcollect.contact_decision(w.customer, 'call', w.wanted_local AT TIME ZONE c.time_zone) p;
SELECT * FROM window_run1 ORDER BY customer, wanted;

SET TimeZone = 'America/Los_Angeles';
CREATE TEMP TABLE window_run2 AS
SELECT w.customer, d.*, p.planned_for - (w.wanted_local AT TIME ZONE c.time_zone) AS waited
  FROM window_case w
  JOIN arcollect.customer c ON c.customer_id = w.customer
 CROSS JOIN pg_temp.decide(w.customer, 'call', w.wanted_local) d
 CROSS JOIN arcollect.contact_decision(w.customer, 'call', w.wanted_local AT TIME ZONE c.time_zone) p;
SELECT count(*) AS cases,
       count(*) FILTER (WHERE r1 IS DISTINCT FROM r2) AS differing
  FROM window_run1 r1 FULL JOIN window_run2 r2 USING (customer, wanted);
-- The instant itself, shown in the session's zones: Sunday 08:00 in New
-- York after the change is 12:00 UTC.
SELECT planned_for FROM arcollect.contact_decision('cr_newyork', 'call', '2025-03-09 07:30-04');
SET TimeZone = 'Pacific/Chatham';
SELECT planned_for FROM arcollect.contact_decision('cr_newyork', 'call', '2025-03-09 07:30-04');

-- Wall-clock times a change skips or shows twice.  02:30 on 9 March in
-- New York does not exist: the first instant the clock shows it or later
-- is the change, 03:00 EDT (07:00 UTC); 01:30 on 2 November is shown
-- twice, first at 05:30 UTC (EDT); Berlin skips 02:00-03:00 on 30 March
-- (01:00 UTC); Lord Howe Island moves by half an hour (02:00 -> 02:30 on
-- 5 October, at 15:30 UTC the day before).
SELECT zone, local_time, arcollect.local_instant(local_time, zone) AT TIME ZONE 'UTC' AS utc,
       arcollect.local_instant(local_time, zone) AT TIME ZONE zone AS clock_shows
  FROM (VALUES ('America/New_York', timestamp '2025-03-09 02:30'), ('America/New_York', '2025-03-09 08:00'),
               ('America/New_York', '2025-11-02 01:30'), ('America/New_York', '2025-11-02 08:00'),
               ('Europe/Berlin', '2025-03-30 02:30'), ('Australia/Lord_Howe', '2025-10-05 02:15'),
               ('Asia/Tokyo', '2025-03-09 08:00')) v (zone, local_time)
 ORDER BY zone, local_time;

-- So a window that opens at such a time opens then: with texts allowed
-- from 02:30, a text wanted at 01:00 on 9 March in New York goes at the
-- change (03:00 EDT); with texts from 01:30, one wanted at 00:30 on
-- 2 November goes at the first 01:30 (EDT), and one wanted at the second
-- 01:45 (EST, an hour after the first) is ok.  (Rolled back.)
BEGIN;
UPDATE arcollect.contact_rule SET window_start = '02:30' WHERE channel = 'sms';
SELECT * FROM pg_temp.decide('cr_newyork', 'sms', '2025-03-09 01:00');
UPDATE arcollect.contact_rule SET window_start = '01:30' WHERE channel = 'sms';
SELECT * FROM pg_temp.decide('cr_newyork', 'sms', '2025-11-02 00:30');
SELECT decision, planned_for AT TIME ZONE 'UTC' AS planned_utc, reason
  FROM arcollect.contact_decision('cr_newyork', 'sms', '2025-11-02 01:45-05');
ROLLBACK;

-- The 8th call in 7 days.  cr_week (New York) had a call a day at 10:00,
-- Monday 3 March to Sunday 9 March 2025: an 8th on Sunday at 15:00 is
-- deferred to Monday 10 March 08:00, when the days 4 to 10 March hold 6.
-- cr_burst had its 7 calls on Monday 3 March: an 8th wanted on Wednesday
-- waits for Monday 10 March, the first day whose week (4 to 10 March)
-- holds none of them.  An inbound call (the customer called) and a
-- cancelled or skipped one are not attempts and change nothing.
INSERT INTO arcollect.customer (customer_id, time_zone) VALUES
    ('cr_week', 'America/New_York'), ('cr_burst', 'America/New_York'), ('cr_ahead', 'America/New_York');
INSERT INTO arcollect.touchpoint (customer_id, channel, status, done_at, outcome)
SELECT 'cr_week', 'call', 'done', (date '2025-03-03' + i + time '10:00') AT TIME ZONE 'America/New_York', 'no_answer'
  FROM generate_series(0, 6) i;
INSERT INTO arcollect.touchpoint (customer_id, channel, status, done_at, outcome)
SELECT 'cr_burst', 'call', 'done', timestamp '2025-03-03 09:00' AT TIME ZONE 'America/New_York' + i * interval '10 minutes',
       'left_message'
  FROM generate_series(0, 6) i;
INSERT INTO arcollect.touchpoint (customer_id, channel, direction, status, done_at, outcome, reason, planned_for) VALUES
    ('cr_week', 'call', 'inbound', 'done', '2025-03-10 09:00-04', 'no_answer', NULL, NULL),
    ('cr_week', 'call', 'outbound', 'cancelled', NULL, NULL, 'paid', '2025-03-10 09:00-04'),
    ('cr_week', 'call', 'outbound', 'skipped', NULL, NULL, 'superseded', '2025-03-10 09:00-04');
SELECT * FROM pg_temp.decide('cr_week', 'call', '2025-03-09 15:00');
SELECT * FROM pg_temp.decide('cr_week', 'call', '2025-03-10 12:00');
SELECT * FROM pg_temp.decide('cr_burst', 'call', '2025-03-05 12:00');
SELECT * FROM pg_temp.decide('cr_burst', 'call', '2025-03-09 20:59');
-- Emails are counted on their own (3 in 7 days).
SELECT * FROM pg_temp.decide('cr_burst', 'email', '2025-03-05 12:00');

-- Planned calls ahead count too.  cr_ahead had 6 calls on Monday
-- 3 March and has one planned for Saturday 8 March: a call on Sunday
-- 2 March would make 2 to 8 March hold 8, so it waits, though the 7
-- days before it hold none; the first day that no 7 consecutive days
-- around it hold 7 already is Monday 10 March.  On Saturday 1 March it is
-- ok (1 to 7 March would hold 7).
INSERT INTO arcollect.touchpoint (customer_id, channel, status, done_at, outcome)
SELECT 'cr_ahead', 'call', 'done', timestamp '2025-03-03 09:00' AT TIME ZONE 'America/New_York' + i * interval '10 minutes',
       'no_answer'
  FROM generate_series(0, 5) i;
INSERT INTO arcollect.touchpoint (customer_id, channel, status, planned_for)
VALUES ('cr_ahead', 'call', 'planned', '2025-03-08 10:00-05');
SELECT * FROM pg_temp.decide('cr_ahead', 'call', '2025-03-02 12:00');
SELECT * FROM pg_temp.decide('cr_ahead', 'call', '2025-03-01 12:00');

-- No call in the 7 days after a call that reached the customer, the day
-- of the conversation being day one, in the customer's days.  cr_talked
-- (New York) was reached on Wednesday 12 March 2025 at 20:30 (00:30 UTC
-- on the 13th): no call on 12 to 18 March (New York days); the next from
-- Wednesday 19 March 08:00.  Other channels are not paused.  A call that
-- did not reach the customer pauses nothing (cr_missed); a conversation
-- the customer started does (cr_called_us, inbound, reached on 12 March).
INSERT INTO arcollect.customer (customer_id, time_zone) VALUES
    ('cr_talked', 'America/New_York'), ('cr_missed', 'America/New_York'), ('cr_called_us', 'America/New_York');
INSERT INTO arcollect.touchpoint (customer_id, channel, direction, status, done_at, outcome) VALUES
    ('cr_talked', 'call', 'outbound', 'done', '2025-03-12 20:30-04', 'reached'),
    ('cr_missed', 'call', 'outbound', 'done', '2025-03-12 20:30-04', 'no_answer'),
    ('cr_called_us', 'call', 'inbound', 'done', '2025-03-12 11:00-04', 'reached');
SELECT * FROM pg_temp.decide('cr_talked', 'call', '2025-03-12 20:45');
SELECT * FROM pg_temp.decide('cr_talked', 'call', '2025-03-18 20:59');
SELECT * FROM pg_temp.decide('cr_talked', 'call', '2025-03-19 08:00');
SELECT * FROM pg_temp.decide('cr_talked', 'call', '2025-03-11 12:00');
SELECT * FROM pg_temp.decide('cr_talked', 'email', '2025-03-12 20:45');
SELECT * FROM pg_temp.decide('cr_missed', 'call', '2025-03-13 09:00');
SELECT * FROM pg_temp.decide('cr_called_us', 'call', '2025-03-13 09:00');

-- Do-not-contact skips every channel, whatever the time; an opt-out
-- skips its channels only.  Do-not-contact is the reason when both hold.
INSERT INTO arcollect.customer (customer_id, time_zone, do_not_contact, opt_out_channels) VALUES
    ('cr_never', 'Europe/Berlin', true, '{}'),
    ('cr_no_calls', 'Europe/Berlin', false, '{call,sms}'),
    ('cr_both', 'Europe/Berlin', true, '{email}');
SELECT * FROM pg_temp.decide('cr_never', 'email', '2025-03-12 12:00');
SELECT * FROM pg_temp.decide('cr_never', 'letter', '2025-03-12 03:00');
SELECT * FROM pg_temp.decide('cr_no_calls', 'call', '2025-03-12 12:00');
SELECT * FROM pg_temp.decide('cr_no_calls', 'sms', '2025-03-12 12:00');
SELECT * FROM pg_temp.decide('cr_no_calls', 'email', '2025-03-12 07:00');
SELECT * FROM pg_temp.decide('cr_both', 'email', '2025-03-12 12:00');

-- A deferral is looked for on the local day wanted and the 60 after it.
-- cr_letters (Tokyo) has a letter planned every 7 days from 1 March 2025
-- to 10 May: with 1 letter in 7 days, no day until 16 May has room for
-- another (every day is within 6 of a planned one), so one wanted on
-- 1 March is skipped for max_attempts, and one wanted on 10 May goes on
-- 17 May.
INSERT INTO arcollect.customer (customer_id, time_zone) VALUES ('cr_letters', 'Asia/Tokyo');
INSERT INTO arcollect.touchpoint (customer_id, channel, status, planned_for)
SELECT 'cr_letters', 'letter', 'planned', (date '2025-03-01' + 7 * i + time '09:00') AT TIME ZONE 'Asia/Tokyo'
  FROM generate_series(0, 10) i;
SELECT * FROM pg_temp.decide('cr_letters', 'letter', '2025-03-01 12:00');
SELECT * FROM pg_temp.decide('cr_letters', 'letter', '2025-05-10 12:00');

-- Refused arguments, SQLSTATE 22023.
SELECT pg_temp.refused($$SELECT arcollect.contact_decision('cr_tokyo', 'fax', now())$$);
SELECT pg_temp.refused($$SELECT arcollect.contact_decision('cr_nobody', 'call', now())$$);
SELECT pg_temp.refused($$SELECT arcollect.contact_decision('cr_tokyo', 'call', NULL)$$);

-- Edits.  ar_admin allows 3 calls in 3 days, from 09:00: the rule is
-- the user's now (seeded false, with who changed it), and cr_week's call
-- on Sunday 9 March at 15:00 (7 to 9 March hold 3) waits for Monday
-- 10 March at 09:00 (8 to 10 March hold 2).  (Rolled back.)
SET ROLE ar_admin;
BEGIN;
UPDATE arcollect.contact_rule SET max_attempts = 3, per_days = 3, window_start = '09:00' WHERE channel = 'call';
SELECT channel, max_attempts, per_days, window_start, seeded, changed_by, changed_at IS NOT NULL AS changed_at_set
  FROM arcollect.contact_rule WHERE channel = 'call';
SELECT * FROM pg_temp.decide('cr_week', 'call', '2025-03-09 15:00');
-- ar_admin changes rules, it does not add or delete them (42501).
SELECT pg_temp.refused($$DELETE FROM arcollect.contact_rule WHERE channel = 'letter'$$);
ROLLBACK;
RESET ROLE;

-- What the table refuses, even to its owner: deleting a rule (23001), a
-- second rule for a channel, once its rule is the user's (23505; one
-- inserted over an installed rule replaces it, as a restore does: below),
-- an unknown channel, an empty or reversed window, no attempts, a window
-- of 0 days or a negative pause (23514).  (Rolled back.)
BEGIN;
UPDATE arcollect.contact_rule SET max_attempts = 7 WHERE channel = 'call';
SELECT pg_temp.refused(s) FROM (VALUES
    ($$DELETE FROM arcollect.contact_rule WHERE channel = 'letter'$$),
    ($$INSERT INTO arcollect.contact_rule (channel, max_attempts, per_days) VALUES ('call', 1, 1)$$),
    ($$INSERT INTO arcollect.contact_rule (channel, max_attempts, per_days) VALUES ('fax', 1, 1)$$),
    ($$UPDATE arcollect.contact_rule SET window_start = '21:00' WHERE channel = 'email'$$),
    ($$UPDATE arcollect.contact_rule SET window_end = '07:00' WHERE channel = 'email'$$),
    ($$UPDATE arcollect.contact_rule SET max_attempts = 0 WHERE channel = 'email'$$),
    ($$UPDATE arcollect.contact_rule SET per_days = 0 WHERE channel = 'email'$$),
    ($$UPDATE arcollect.contact_rule SET pause_after_reached_days = -1 WHERE channel = 'call'$$)) v (s);
ROLLBACK;

-- A restore's INSERT of a user's rule replaces the installed one of its
-- channel, keeping who changed it and when.  (Rolled back.)
BEGIN;
INSERT INTO arcollect.contact_rule (channel, max_attempts, per_days, window_start, window_end,
                                    pause_after_reached_days, seeded, changed_by, changed_at)
VALUES ('meeting', 2, 14, '09:00', '17:00', 0, true, 'someone', '2025-01-02 03:04:05+00');
SELECT channel, max_attempts, per_days, window_start, window_end, seeded, changed_by,
       changed_at AT TIME ZONE 'UTC' AS changed_at_utc
  FROM arcollect.contact_rule WHERE channel = 'meeting';
ROLLBACK;

-- Collectors and BI read the rules and ask for decisions; they cannot
-- edit the rules.
SET ROLE collector;
SELECT channel, max_attempts FROM arcollect.contact_rule WHERE channel = 'call';
SELECT * FROM pg_temp.decide('cr_week', 'call', '2025-03-09 15:00');
SELECT pg_temp.refused($$UPDATE arcollect.contact_rule SET max_attempts = 70 WHERE channel = 'call'$$);
SELECT pg_temp.refused($$DELETE FROM arcollect.contact_rule WHERE channel = 'call'$$);
RESET ROLE;
SET ROLE bi_reader;
SELECT * FROM pg_temp.decide('cr_talked', 'call', '2025-03-12 20:45');
SELECT pg_temp.refused($$UPDATE arcollect.contact_rule SET max_attempts = 70 WHERE channel = 'call'$$);
RESET ROLE;
SELECT channel, seeded FROM arcollect.contact_rule ORDER BY channel;

DELETE FROM arcollect.touchpoint WHERE customer_id LIKE 'cr\_%';
DELETE FROM arcollect.customer WHERE customer_id LIKE 'cr\_%';
RESET TimeZone;
DROP OWNED BY bi_reader, collector, ar_admin;
DROP ROLE bi_reader, collector, ar_admin;
