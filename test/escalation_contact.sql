-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Property: for random customers in time zones with and without summer
-- time (half-hour and 45-minute offsets, Lord Howe's half-hour change
-- among them), random times wanted around 2025's changes, and random
-- histories of touchpoints on the channel (planned, done, cancelled;
-- outbound and inbound; reached or not; before and after the time
-- wanted), arcollect.contact_decision gives
--   * the same instants whatever the session's TimeZone;
--   * skipped for do-not-contact and opted-out channels, with the reason,
--     and never otherwise (histories this short always leave room);
--   * a planned_for at or after wanted that the rules allow: inside the
--     window on the customer's clock, on a day no pause covers and that
--     no per_days consecutive days around it would hold one attempt too
--     many, by an oracle that counts the touchpoints itself;
--   * ok exactly when wanted is allowed; a deferral at the window's start
--     on the customer's clock, with the reason that held wanted;
--   * the earliest such time: no point of the 5-minute grid between
--     wanted and planned_for is allowed.
-- The installed rules for calls, emails and letters, and an edited one
-- for texts (2 in 4 days, a 2-day pause, 06:30 to 19:15).  And
-- arcollect.local_instant, for random wall-clock times (skipped ones
-- too): the clock shows that time or later at the instant, and less a
-- second before; exactly that time unless the offset changes right there.
-- The sequence is random with a fixed seed.  Everything is rolled back.
BEGIN;
SELECT tap.plan(14);

SET LOCAL client_min_messages = warning;
SELECT pg_catalog.setseed(0.1006);

-- The suite's role creates customers and touchpoints, as a collector does.
SET ROLE NONE;
GRANT INSERT ON arcollect.customer, arcollect.touchpoint TO arcollect_suite;
RESET ROLE;

UPDATE arcollect.contact_rule
   SET max_attempts = 2, per_days = 4, pause_after_reached_days = 2, window_start = '06:30', window_end = '19:15'
 WHERE channel = 'sms';

CREATE TEMP TABLE ct_case AS
SELECT n, 'ct_' || n AS customer,
       (ARRAY['America/New_York', 'Europe/Berlin', 'Asia/Tokyo', 'Australia/Sydney', 'Pacific/Chatham',
              'Asia/Kathmandu', 'Australia/Lord_Howe', 'America/St_Johns', 'UTC'])[1 + floor(random() * 9)::int]
           AS zone,
       (ARRAY['call', 'call', 'email', 'letter', 'sms'])[1 + floor(random() * 5)::int] AS channel,
       (ARRAY[timestamptz '2025-03-09 12:00+00', '2025-03-30 12:00+00', '2025-04-06 12:00+00',
              '2025-10-05 12:00+00', '2025-10-26 12:00+00', '2025-11-02 12:00+00', '2025-07-01 12:00+00'])
           [1 + floor(random() * 7)::int] + (random() * 8 - 4) * interval '1 day' AS wanted,
       random() < 0.08 AS dnc, random() < 0.08 AS opted_out, floor(random() * 12)::int AS touchpoints
  FROM pg_catalog.generate_series(1, 150) n;

INSERT INTO arcollect.customer (customer_id, time_zone, do_not_contact, opt_out_channels)
SELECT c.customer, c.zone, c.dnc, CASE WHEN c.opted_out THEN ARRAY[c.channel] ELSE '{}' END
  FROM ct_case c;

-- Touchpoints from 10 days before wanted to 6 after.
CREATE TEMP TABLE ct_touch AS
SELECT c.n, c.wanted + (random() * 16 - 10) * interval '1 day' AS at, random() AS r_status,
       random() < 0.15 AS inbound, random() < 0.3 AS reached
  FROM ct_case c, pg_catalog.generate_series(1, c.touchpoints) i;
INSERT INTO arcollect.touchpoint (customer_id, channel, direction, status, planned_for, done_at, outcome, reason)
SELECT c.customer, c.channel, CASE WHEN t.inbound THEN 'inbound' ELSE 'outbound' END,
       CASE WHEN t.r_status < 0.3 THEN 'planned' WHEN t.r_status < 0.85 THEN 'done' ELSE 'cancelled' END,
       CASE WHEN t.r_status < 0.3 OR t.r_status >= 0.85 THEN t.at END,
       CASE WHEN t.r_status >= 0.3 AND t.r_status < 0.85 THEN t.at END,
       CASE WHEN t.r_status >= 0.3 AND t.r_status < 0.85 THEN CASE WHEN t.reached THEN 'reached' ELSE 'no_answer' END END,
       CASE WHEN t.r_status >= 0.85 THEN 'paid' END
  FROM ct_touch t JOIN ct_case c USING (n);
-- and, on another channel, some that must not count
INSERT INTO arcollect.touchpoint (customer_id, channel, status, done_at, outcome)
SELECT c.customer, CASE WHEN c.channel = 'meeting' THEN 'portal' ELSE 'meeting' END, 'done', c.wanted, 'reached'
  FROM ct_case c, pg_catalog.generate_series(1, 3);

SET LOCAL TimeZone = 'Pacific/Chatham';
CREATE TEMP TABLE ct_result AS
SELECT c.n, d.decision, d.planned_for, d.reason
  FROM ct_case c, arcollect.contact_decision(c.customer, c.channel, c.wanted) d;
SET LOCAL TimeZone = 'America/Sao_Paulo';
SELECT tap.is((SELECT count(*) FROM ct_result r
                 FULL JOIN (SELECT c.n, d.decision, d.planned_for, d.reason
                              FROM ct_case c, arcollect.contact_decision(c.customer, c.channel, c.wanted) d) s
                   USING (n)
                WHERE (r.decision, r.planned_for, r.reason) IS DISTINCT FROM (s.decision, s.planned_for, s.reason)),
              0::bigint, 'decisions are the same whatever the session TimeZone');
SET LOCAL TimeZone = 'Asia/Kolkata';

-- The oracle.  Which rule holds a customer's channel on a local day
-- (NULL: none), counting the touchpoints afresh.
CREATE FUNCTION pg_temp.ct_day_rule(case_n integer, day date) RETURNS text LANGUAGE sql STABLE AS $fn$
SELECT CASE
    WHEN r.pause_after_reached_days > 0
         AND EXISTS (SELECT FROM arcollect.touchpoint t
                      WHERE t.customer_id = c.customer AND t.channel = c.channel
                        AND t.status = 'done' AND t.outcome = 'reached'
                        AND (t.done_at AT TIME ZONE c.zone)::date
                            BETWEEN day - r.pause_after_reached_days + 1 AND day)
        THEN 'pause_after_reached'
    WHEN EXISTS (SELECT FROM pg_catalog.generate_series(0, r.per_days - 1) e
                  WHERE (SELECT count(*) FROM arcollect.touchpoint t
                          WHERE t.customer_id = c.customer AND t.channel = c.channel
                            AND t.direction = 'outbound' AND t.status IN ('planned', 'done')
                            AND (coalesce(t.done_at, t.planned_for) AT TIME ZONE c.zone)::date
                                BETWEEN day + e - r.per_days + 1 AND day + e) >= r.max_attempts)
        THEN 'max_attempts'
    END
  FROM ct_case c JOIN arcollect.contact_rule r ON r.channel = c.channel
 WHERE c.n = case_n
$fn$;
-- Whether a touchpoint may be made at an instant: in the window on the
-- customer's clock, on a day no rule holds.
CREATE FUNCTION pg_temp.ct_allowed(case_n integer, at timestamptz) RETURNS boolean LANGUAGE sql STABLE AS $fn$
SELECT (at AT TIME ZONE c.zone)::time >= r.window_start AND (at AT TIME ZONE c.zone)::time < r.window_end
       AND pg_temp.ct_day_rule(case_n, (at AT TIME ZONE c.zone)::date) IS NULL
  FROM ct_case c JOIN arcollect.contact_rule r ON r.channel = c.channel
 WHERE c.n = case_n
$fn$;

CREATE TEMP VIEW ct_checked AS
SELECT c.*, r.decision, r.planned_for, r.reason, u.window_start
  FROM ct_case c JOIN ct_result r USING (n) JOIN arcollect.contact_rule u ON u.channel = c.channel;

SELECT tap.is((SELECT count(*) FROM ct_checked
                WHERE dnc AND (decision, planned_for, reason) IS DISTINCT FROM ('skipped', NULL, 'do_not_contact')),
              0::bigint, 'do-not-contact customers are skipped, reason do_not_contact');
SELECT tap.is((SELECT count(*) FROM ct_checked
                WHERE NOT dnc AND opted_out AND (decision, planned_for, reason) IS DISTINCT FROM ('skipped', NULL, 'opt_out')),
              0::bigint, 'a channel the customer opted out of is skipped, reason opt_out');
SELECT tap.is((SELECT count(*) FROM ct_checked WHERE NOT dnc AND NOT opted_out AND decision NOT IN ('ok', 'deferred')),
              0::bigint, 'no other decision is skipped');
SELECT tap.is((SELECT count(*) FROM ct_checked WHERE planned_for < wanted), 0::bigint,
              'planned_for is never before wanted');
SELECT tap.is((SELECT count(*) FROM ct_checked
                WHERE decision = 'ok' AND (planned_for <> wanted OR reason IS NOT NULL OR NOT pg_temp.ct_allowed(n, wanted))),
              0::bigint, 'ok: at wanted, which the rules allow');
SELECT tap.is((SELECT count(*) FROM ct_checked WHERE decision = 'deferred' AND pg_temp.ct_allowed(n, wanted)),
              0::bigint, 'deferred only when the rules do not allow wanted');
SELECT tap.is((SELECT count(*) FROM ct_checked WHERE decision = 'deferred' AND NOT pg_temp.ct_allowed(n, planned_for)),
              0::bigint, 'deferred to a time the rules allow');
SELECT tap.is((SELECT count(*) FROM ct_checked
                WHERE decision = 'deferred' AND (planned_for AT TIME ZONE zone)::time <> window_start),
              0::bigint, 'deferred to the start of a window on the customer''s clock');
SELECT tap.is((SELECT count(*) FROM ct_checked
                WHERE decision = 'deferred'
                  AND reason IS DISTINCT FROM coalesce(pg_temp.ct_day_rule(n, (wanted AT TIME ZONE zone)::date),
                                                       'contact_window')),
              0::bigint, 'a deferral names the rule that held wanted');
-- Earliest: the days from wanted's to planned_for's that no rule holds,
-- then the 5-minute points after wanted and before planned_for on them
-- that are in the window.
CREATE TEMP TABLE ct_free_day AS
SELECT c.n, (c.wanted AT TIME ZONE c.zone)::date + i AS day
  FROM ct_checked c,
       pg_catalog.generate_series(0, (c.planned_for AT TIME ZONE c.zone)::date - (c.wanted AT TIME ZONE c.zone)::date) i
 WHERE c.decision = 'deferred'
   AND pg_temp.ct_day_rule(c.n, (c.wanted AT TIME ZONE c.zone)::date + i) IS NULL;
SELECT tap.is((SELECT count(*)
                 FROM ct_checked c
                CROSS JOIN LATERAL pg_catalog.generate_series(
                    pg_catalog.to_timestamp(ceil(EXTRACT(epoch FROM c.wanted) / 300) * 300),
                    c.planned_for - interval '1 microsecond', interval '5 minutes') g
                 JOIN ct_free_day f ON f.n = c.n AND f.day = (g AT TIME ZONE c.zone)::date
                 JOIN arcollect.contact_rule r ON r.channel = c.channel
                WHERE c.decision = 'deferred' AND g > c.wanted
                  AND (g AT TIME ZONE c.zone)::time >= r.window_start AND (g AT TIME ZONE c.zone)::time < r.window_end),
              0::bigint, 'no earlier point of the 5-minute grid is allowed');
SELECT tap.is((SELECT pg_catalog.array_agg(DISTINCT coalesce(reason, decision) ORDER BY coalesce(reason, decision))
                 FROM ct_checked),
              ARRAY['contact_window', 'do_not_contact', 'max_attempts', 'ok', 'opt_out', 'pause_after_reached'],
              'the cases meet every decision and reason');
SELECT tap.ok((SELECT count(*) FROM ct_checked
                WHERE decision = 'deferred'
                  AND (planned_for AT TIME ZONE zone) - (planned_for AT TIME ZONE 'UTC')
                      <> (wanted AT TIME ZONE zone) - (wanted AT TIME ZONE 'UTC')) >= 3,
              'some deferrals cross a change of the customer''s UTC offset');

-- local_instant on random wall-clock minutes around the changes.
SELECT tap.is((SELECT count(*)
                 FROM (SELECT z.zone, l.local_time, arcollect.local_instant(l.local_time, z.zone) AS at
                         FROM (VALUES ('America/New_York'), ('Europe/Berlin'), ('Australia/Sydney'),
                                      ('Australia/Lord_Howe'), ('Pacific/Chatham'), ('America/St_Johns'),
                                      ('Asia/Tokyo')) z (zone)
                        CROSS JOIN LATERAL (SELECT d + floor(random() * 1440) * interval '1 minute' AS local_time
                                              FROM (VALUES (timestamp '2025-03-09'), ('2025-03-30'), ('2025-04-06'),
                                                           ('2025-10-05'), ('2025-10-26'), ('2025-11-02'),
                                                           ('2025-09-28'), ('2025-04-05')) v (d),
                                                   pg_catalog.generate_series(1, 40)) l) s
                WHERE NOT (s.at AT TIME ZONE s.zone >= s.local_time
                           AND (s.at - interval '1 second') AT TIME ZONE s.zone < s.local_time
                           AND (s.at AT TIME ZONE s.zone = s.local_time
                                OR (s.at AT TIME ZONE s.zone) - (s.at AT TIME ZONE 'UTC')
                                   <> ((s.at - interval '1 second') AT TIME ZONE s.zone)
                                      - ((s.at - interval '1 second') AT TIME ZONE 'UTC')))),
              0::bigint, 'local_instant: the first instant the clock shows the time or later');

SELECT * FROM tap.finish();
ROLLBACK;
