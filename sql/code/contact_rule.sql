-- Contact rules (table in sql/schema/contact_rule.sql): whether and when
-- a customer may be contacted on a channel, arcollect.contact_decision,
-- the one definition the dunning ladder and anyone planning a touchpoint
-- ask; arcollect.local_instant, which turns a customer's wall-clock time
-- into an instant; and the trigger that makes an edited rule the user's.
--
-- Every day and time of the rules is the customer's own
-- (arcollect.customer.time_zone), computed with AT TIME ZONE on named
-- zones only, so that neither the session's TimeZone nor the server's
-- changes a decision.

-- The first instant at which a clock in time_zone shows local_time or
-- later.  Usually the one instant it shows local_time.  When a change to
-- summer time skips local_time (02:30 on the day New York goes from 02:00
-- to 03:00), the instant the clock jumps past it (03:00 EDT): a window
-- opening at 02:30 opens then.  When a change back shows local_time twice
-- (01:30 on the day New York goes from 02:00 back to 01:00), the first
-- time.  PostgreSQL's own `local_time AT TIME ZONE time_zone` gives the
-- later of two and, for a skipped time, one an hour past the jump, so
-- both are worked out here from the zone's offsets a day either side (no
-- zone changes its offset twice within two days).
CREATE OR REPLACE FUNCTION arcollect.local_instant(local_time timestamp, time_zone text)
RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    guess timestamptz := local_time AT TIME ZONE time_zone;
    offset_before interval := (guess - interval '1 day') AT TIME ZONE time_zone
                              - (guess - interval '1 day') AT TIME ZONE 'UTC';
    offset_after interval := (guess + interval '1 day') AT TIME ZONE time_zone
                             - (guess + interval '1 day') AT TIME ZONE 'UTC';
    -- local_time read with either offset; each is right if the clock
    -- shows local_time then
    with_before timestamptz := (local_time - offset_before) AT TIME ZONE 'UTC';
    with_after timestamptz := (local_time - offset_after) AT TIME ZONE 'UTC';
    before_right boolean := with_before AT TIME ZONE time_zone = local_time;
    after_right boolean := with_after AT TIME ZONE time_zone = local_time;
    lo bigint;
    hi bigint;
    mid bigint;
BEGIN
    IF before_right AND after_right THEN
        RETURN least(with_before, with_after);
    ELSIF before_right THEN
        RETURN with_before;
    ELSIF after_right THEN
        RETURN with_after;
    END IF;
    -- Skipped: the clock shows less than local_time up to the change and
    -- more from it on, and the change is after with_after (the clock was
    -- still behind) and at or before with_before.  Zones change at whole
    -- seconds: bisect on those.
    lo := pg_catalog.floor(EXTRACT(epoch FROM with_after));
    hi := pg_catalog.ceil(EXTRACT(epoch FROM with_before));
    WHILE hi - lo > 1 LOOP
        mid := (lo + hi) / 2;
        IF pg_catalog.to_timestamp(mid) AT TIME ZONE time_zone >= local_time THEN
            hi := mid;
        ELSE
            lo := mid;
        END IF;
    END LOOP;
    RETURN pg_catalog.to_timestamp(hi);
END
$fn$;

COMMENT ON FUNCTION arcollect.local_instant(timestamp, text) IS
'The first instant at which a clock in time_zone shows local_time or later: the instant it shows local_time; the first of two when a change back to standard time shows it twice; the moment of the change when a change to summer time skips it.';

-- Whether the customer's own settings forbid contacting it on channel:
-- 'do_not_contact' (every channel), 'opt_out' (the channel is in
-- opt_out_channels), NULL when they allow it.  The customer's consent,
-- which unlike the caps, the window and the pause (arcollect.contact_decision,
-- asked when a touchpoint is planned) the customer can withdraw after a
-- touchpoint was planned; the reasons are the ones contact_decision gives
-- for a skipped touchpoint.  Inlinable SQL (no SET clause).
CREATE OR REPLACE FUNCTION arcollect.contact_refusal(do_not_contact boolean, opt_out_channels text[],
                                                     channel text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN contact_refusal.do_not_contact THEN 'do_not_contact'
                WHEN contact_refusal.channel = ANY (contact_refusal.opt_out_channels) THEN 'opt_out'
           END;
END;

COMMENT ON FUNCTION arcollect.contact_refusal(boolean, text[], text) IS
'Whether a customer''s settings (arcollect.customer.do_not_contact, opt_out_channels) forbid contacting it on channel: do_not_contact, opt_out, or NULL when they allow it. arcollect.contact_decisions asks it when a touchpoint is planned; arcollect.outbox and arcollect.skip_refused_touchpoints ask it again of touchpoints planned before the settings changed.';

-- Whether and when a touchpoint on channel may be made for a customer,
-- wanted at a given instant: the one rule, read from
-- arcollect.contact_rule and the customer's settings (arcollect.customer):
--
--   do_not_contact             -> skipped, reason do_not_contact
--   channel in opt_out_channels -> skipped, reason opt_out
--   otherwise the earliest instant at or after wanted that is
--     - inside the channel's window on a day of the customer's time
--       zone: from arcollect.local_instant(day + window_start) to before
--       arcollect.local_instant(day + window_end);
--     - on a day no pause_after_reached_days pause covers: a done
--       touchpoint on the channel with outcome reached, in either
--       direction (a conversation is one whoever called), pauses the
--       channel on its day and the pause_after_reached_days - 1 after;
--     - on a day such that no per_days consecutive days containing it
--       would then hold more than max_attempts outbound touchpoints on
--       the channel (planned ones by planned_for, done ones by done_at;
--       skipped and cancelled ones were not made, inbound ones were not
--       our attempts).  Planned touchpoints ahead count too: a touchpoint
--       is not put where it would make a later week one too many.
--   'ok' when that is wanted itself; 'deferred' when later, with the
--   reason why wanted was not allowed (pause_after_reached, max_attempts,
--   else contact_window); 'skipped' when no such instant falls on the
--   local day of wanted or the 60 after it, with the rule that still
--   held on the last of them.
--
-- The touchpoint decided about is one not stored yet, unless
-- touchpoint_id names it: a planned touchpoint asked about again (the
-- worklist checks today's calls the run planned) is then left out of the
-- counts, so that it is counted once, as the one decided, and a call that
-- is exactly the cap's last is still allowed.  Without touchpoint_id a
-- planned one already in arcollect.touchpoint would count against
-- itself.  The days a
-- touchpoint is on are local days of the customer's time zone as it is
-- now.  Caller's rights: it reads arcollect.customer, arcollect.touchpoint
-- and arcollect.contact_rule with them.
--
-- arcollect.contact_decisions decides for many touchpoints at once, each
-- as if it were the only one (none sees another of the same call: a
-- writer that plans several for one customer and channel asks again for
-- the later ones once the earlier are stored, as the escalation run
-- does); arcollect.contact_decision is it for one.  It reads the
-- customers once and the touchpoints once, and works out each window
-- (arcollect.local_instant) once per time zone and day.  A request whose
-- customer has no touchpoint on the channel within reach of the days
-- tried has every day free of pauses and caps (max_attempts is
-- positive), so its answer is on one of its first three local days (the
-- first may be past its window, the second in a change to summer time
-- that swallows the window; no zone changes twice within two days): only
-- those are tried.  The others try each of the 61 days.
CREATE OR REPLACE FUNCTION arcollect.contact_decisions(customer_ids text[], channels text[], wanted timestamptz[],
                                                       touchpoint_ids bigint[] DEFAULT NULL)
RETURNS TABLE (request_no integer, decision text, planned_for timestamptz, reason text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
-- planned for the arrays given (their lengths are the row counts the
-- planner sees)
SET plan_cache_mode = force_custom_plan
SET jit = off
AS $fn$
DECLARE
    horizon CONSTANT integer := 60;
    bad text;
    missing integer;
    zones text[];
    refusals text[];
BEGIN
    IF pg_catalog.cardinality(customer_ids) IS DISTINCT FROM pg_catalog.cardinality(channels)
       OR pg_catalog.cardinality(customer_ids) IS DISTINCT FROM pg_catalog.cardinality(wanted) THEN
        RAISE EXCEPTION 'customer_ids, channels and wanted must be arrays of one length'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Request i is (customer_ids[i], channels[i], wanted[i]).';
    END IF;
    IF pg_catalog.array_position(wanted, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'wanted time of a contact must not be null'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The decision is the earliest allowed time at or after the time wanted.',
                  HINT = 'Pass the time the touchpoint would be made, for example now().';
    END IF;
    SELECT r.channel INTO bad
      FROM unnest(channels) WITH ORDINALITY r(channel, n)
     WHERE NOT EXISTS (SELECT FROM arcollect.contact_rule k WHERE k.channel = r.channel)
     ORDER BY r.n LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'unknown contact channel "%"', bad
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Every channel has a row of arcollect.contact_rule.',
                  HINT = 'Use one of email, call, sms, letter, portal, meeting.';
    END IF;
    -- the customers' settings, request by request: for a few, the
    -- condition on the view's customer_id goes down to the index of its
    -- invoices; for many, a hash join with all customers (the condition
    -- would be an array searched for each invoice)
    IF pg_catalog.cardinality(customer_ids) <= 1000 THEN
        SELECT pg_catalog.array_agg(c.time_zone ORDER BY r.n),
               pg_catalog.array_agg(arcollect.contact_refusal(c.do_not_contact, c.opt_out_channels, r.channel)
                                    ORDER BY r.n),
               pg_catalog.min(r.n) FILTER (WHERE c.customer_id IS NULL)
          INTO zones, refusals, missing
          FROM unnest(customer_ids, channels) WITH ORDINALITY r(customer_id, channel, n)
          LEFT JOIN arcollect.customer c ON c.customer_id = r.customer_id AND c.customer_id = ANY (customer_ids);
    ELSE
        SELECT pg_catalog.array_agg(c.time_zone ORDER BY r.n),
               pg_catalog.array_agg(arcollect.contact_refusal(c.do_not_contact, c.opt_out_channels, r.channel)
                                    ORDER BY r.n),
               pg_catalog.min(r.n) FILTER (WHERE c.customer_id IS NULL)
          INTO zones, refusals, missing
          FROM unnest(customer_ids, channels) WITH ORDINALITY r(customer_id, channel, n)
          LEFT JOIN arcollect.customer c ON c.customer_id = r.customer_id;
    END IF;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'customer "%" is not known to arcollect', customer_ids[missing]
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'No invoice of the ledger names it and it was not created in arcollect.customer.',
                  HINT = 'Check the customer identifier, or INSERT INTO arcollect.customer first.';
    END IF;

    RETURN QUERY
    WITH req AS MATERIALIZED (
        SELECT r.n::integer AS n, r.customer_id, r.channel, r.wanted, r.zone, r.refusal,
               touchpoint_ids[r.n] AS asked_about,
               k.max_attempts, k.per_days, k.window_start, k.window_end, k.pause_after_reached_days AS pause,
               (r.wanted AT TIME ZONE r.zone)::date AS first_day
          FROM unnest(customer_ids, channels, wanted, zones, refusals)
               WITH ORDINALITY r(customer_id, channel, wanted, zone, refusal, n)
          JOIN arcollect.contact_rule k ON k.channel = r.channel),
    open AS (SELECT * FROM req q WHERE q.refusal IS NULL),
    -- the customer's touchpoints on the channel by local day, on the days
    -- a cap or a pause reaches from the days that may be tried
    hist AS (
        SELECT x.n, pg_catalog.array_agg(x.day) AS days, pg_catalog.array_agg(x.attempts) AS attempts,
               pg_catalog.array_agg(x.reached) AS reached
          FROM (SELECT q.n, (coalesce(t.done_at, t.planned_for) AT TIME ZONE q.zone)::date AS day,
                       pg_catalog.count(*) FILTER (WHERE t.direction = 'outbound') AS attempts,
                       pg_catalog.count(*) FILTER (WHERE t.status = 'done' AND t.outcome = 'reached') AS reached
                  FROM open q
                  JOIN arcollect.touchpoint t ON t.customer_id = q.customer_id AND t.channel = q.channel
                 WHERE t.status IN ('planned', 'done')
                   AND (q.asked_about IS NULL OR t.touchpoint_id <> q.asked_about)
                 GROUP BY 1, 2) x
          JOIN open q ON q.n = x.n
         WHERE x.day BETWEEN q.first_day - q.per_days - q.pause AND q.first_day + horizon + q.per_days
         GROUP BY x.n),
    -- (near: a touchpoint a cap or a pause of the first three days reaches)
    days AS (
        SELECT q.*, h.days AS h_days, h.attempts AS h_attempts, h.reached AS h_reached, q.first_day + i AS day
          FROM open q
          LEFT JOIN hist h ON h.n = q.n
         CROSS JOIN LATERAL (
              SELECT EXISTS (SELECT FROM unnest(h.days) x(day)
                              WHERE x.day BETWEEN q.first_day - greatest(q.per_days, q.pause) + 1
                                              AND q.first_day + 2 + q.per_days - 1) AS near) r
         CROSS JOIN LATERAL pg_catalog.generate_series(0, CASE WHEN r.near THEN horizon ELSE 2 END) i),
    windows AS (
        SELECT w.zone, w.window_start, w.window_end, w.day,
               arcollect.local_instant(w.day + w.window_start, w.zone) AS opens,
               arcollect.local_instant(w.day + w.window_end, w.zone) AS closes
          FROM (SELECT DISTINCT d.zone, d.window_start, d.window_end, d.day FROM days d) w),
    tried AS (
        SELECT d.n, d.day, d.first_day, d.wanted, greatest(d.wanted, w.opens) AS chosen, w.closes,
               -- a done touchpoint that reached the customer, on the day
               -- or the pause - 1 days before
               d.pause > 0 AND d.h_days IS NOT NULL
               AND coalesce((SELECT pg_catalog.sum(x.reached)
                               FROM unnest(d.h_days, d.h_reached) x(day, reached)
                              WHERE x.day BETWEEN d.day - greatest(d.pause - 1, 0) AND d.day), 0) > 0 AS paused,
               -- some per_days consecutive days holding the day already
               -- hold max_attempts
               d.h_days IS NOT NULL
               AND coalesce((SELECT pg_catalog.max(s.attempts)
                               FROM (SELECT pg_catalog.sum(x.attempts) AS attempts
                                       FROM pg_catalog.generate_series(0, d.per_days - 1) e(i)
                                       JOIN unnest(d.h_days, d.h_attempts) x(day, attempts)
                                         ON x.day BETWEEN d.day + e.i - d.per_days + 1 AND d.day + e.i
                                      GROUP BY e.i) s), 0) >= d.max_attempts AS capped
          FROM days d
          JOIN windows w ON w.zone = d.zone AND w.window_start = d.window_start AND w.window_end = d.window_end
                        AND w.day = d.day),
    -- the first day allowed, and its time (the later the day, the later
    -- the time)
    decided AS (
        SELECT t.n,
               pg_catalog.min(t.day) FILTER (WHERE NOT t.paused AND NOT t.capped AND t.chosen < t.closes) AS day,
               pg_catalog.min(t.chosen) FILTER (WHERE NOT t.paused AND NOT t.capped AND t.chosen < t.closes) AS chosen,
               pg_catalog.min(CASE WHEN t.paused THEN 'pause_after_reached' WHEN t.capped THEN 'max_attempts'
                                   ELSE 'contact_window' END) FILTER (WHERE t.day = t.first_day) AS why_not_wanted,
               pg_catalog.min(CASE WHEN t.paused THEN 'pause_after_reached' WHEN t.capped THEN 'max_attempts'
                                   ELSE 'contact_window' END) FILTER (WHERE t.day = t.first_day + horizon) AS why_not_last
          FROM tried t
         GROUP BY t.n)
    SELECT q.n,
           CASE WHEN q.refusal IS NOT NULL OR c.day IS NULL THEN 'skipped'
                WHEN c.chosen = q.wanted THEN 'ok' ELSE 'deferred' END,
           CASE WHEN q.refusal IS NULL THEN c.chosen END,
           CASE WHEN q.refusal IS NOT NULL THEN q.refusal
                WHEN c.day IS NULL THEN c.why_not_last
                WHEN c.chosen <> q.wanted THEN c.why_not_wanted END
      FROM req q
      LEFT JOIN decided c ON c.n = q.n
     ORDER BY q.n;
END
$fn$;

COMMENT ON FUNCTION arcollect.contact_decisions(text[], text[], timestamptz[], bigint[]) IS
'arcollect.contact_decision for many touchpoints at once: request i is (customer_ids[i], channels[i], wanted[i], touchpoint_ids[i]), answered in the row with request_no i. Each is decided from the touchpoints stored, as if it were the only one: none sees another request of the same call.';

CREATE OR REPLACE FUNCTION arcollect.contact_decision(customer_id text, channel text, wanted timestamptz,
                                                      touchpoint_id bigint DEFAULT NULL)
RETURNS TABLE (decision text, planned_for timestamptz, reason text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT d.decision, d.planned_for, d.reason
      FROM arcollect.contact_decisions(ARRAY[customer_id], ARRAY[channel], ARRAY[wanted], ARRAY[touchpoint_id]) d;
$fn$;

COMMENT ON FUNCTION arcollect.contact_decision(text, text, timestamptz, bigint) IS
'Whether and when a touchpoint on channel may be made for the customer, wanted at wanted (touchpoint_id: the planned touchpoint asked about, if it is stored already; it is then not counted twice): ok (at wanted), deferred (planned_for the earliest allowed time after it, reason the rule that held it: contact_window, max_attempts or pause_after_reached) or skipped (do_not_contact, opt_out, or no allowed time within 60 days: the rule that held). Days and times are the customer''s time zone''s.';

-- BEFORE INSERT OR UPDATE OR DELETE trigger of arcollect.contact_rule.
-- Every channel keeps its rule (contact_decision needs one); a rule
-- written is the user's (seeded false) and records who changed it and
-- when, unless the statement sets those itself (a restore does); a
-- user's rule inserted for a channel whose rule is still seeded replaces
-- it (a restore into a fresh install).
CREATE OR REPLACE FUNCTION arcollect._contact_rule_edit()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'contact rule of channel "%" cannot be deleted', OLD.channel
            USING ERRCODE = 'restrict_violation',
                  DETAIL = 'Every channel has a contact rule: arcollect.contact_decision reads it for every touchpoint on the channel.',
                  HINT = 'Change its values instead; to stop contacting a customer on a channel, add the channel to the customer''s opt_out_channels.';
    END IF;
    NEW.seeded := false;
    IF TG_OP = 'UPDATE' AND NEW.changed_by IS NOT DISTINCT FROM OLD.changed_by
       AND NEW.changed_at IS NOT DISTINCT FROM OLD.changed_at THEN
        NEW.changed_by := current_user;
        NEW.changed_at := pg_catalog.now();
    END IF;
    IF TG_OP = 'INSERT'
       AND EXISTS (SELECT FROM arcollect.contact_rule r WHERE r.channel = NEW.channel AND r.seeded) THEN
        UPDATE arcollect.contact_rule r
           SET max_attempts = NEW.max_attempts, per_days = NEW.per_days,
               window_start = NEW.window_start, window_end = NEW.window_end,
               pause_after_reached_days = NEW.pause_after_reached_days,
               changed_by = NEW.changed_by, changed_at = NEW.changed_at
         WHERE r.channel = NEW.channel;
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION arcollect._contact_rule_edit() IS
'BEFORE trigger of arcollect.contact_rule: keeps every channel''s rule, makes every rule written the user''s (seeded false, with who and when), and lets a user''s rule replace a seeded one of the same channel (a restore).';

CREATE OR REPLACE TRIGGER contact_rule_edit
    BEFORE INSERT OR UPDATE OR DELETE ON arcollect.contact_rule
    FOR EACH ROW EXECUTE FUNCTION arcollect._contact_rule_edit();

REVOKE ALL ON arcollect.contact_rule FROM PUBLIC;
