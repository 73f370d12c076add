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
CREATE OR REPLACE FUNCTION arcollect.contact_decision(customer_id text, channel text, wanted timestamptz,
                                                      touchpoint_id bigint DEFAULT NULL)
RETURNS TABLE (decision text, planned_for timestamptz, reason text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    horizon CONSTANT integer := 60;
    rule arcollect.contact_rule;
    zone text;
    no_contact boolean;
    opted_out text[];
    first_day date;
    d record;
    why_not_wanted text;
    why_not_last text;
    opens timestamptz;
    closes timestamptz;
    chosen timestamptz;
BEGIN
    IF wanted IS NULL THEN
        RAISE EXCEPTION 'wanted time of a contact must not be null'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The decision is the earliest allowed time at or after the time wanted.',
                  HINT = 'Pass the time the touchpoint would be made, for example now().';
    END IF;
    SELECT * INTO rule FROM arcollect.contact_rule r WHERE r.channel = contact_decision.channel;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown contact channel "%"', contact_decision.channel
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Every channel has a row of arcollect.contact_rule.',
                  HINT = 'Use one of email, call, sms, letter, portal, meeting.';
    END IF;
    SELECT c.time_zone, c.do_not_contact, c.opt_out_channels INTO zone, no_contact, opted_out
      FROM arcollect.customer c
     WHERE c.customer_id = contact_decision.customer_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'customer "%" is not known to arcollect', contact_decision.customer_id
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'No invoice of the ledger names it and it was not created in arcollect.customer.',
                  HINT = 'Check the customer identifier, or INSERT INTO arcollect.customer first.';
    END IF;
    IF no_contact THEN
        RETURN QUERY SELECT 'skipped'::text, NULL::timestamptz, 'do_not_contact'::text;
        RETURN;
    ELSIF rule.channel = ANY (opted_out) THEN
        RETURN QUERY SELECT 'skipped'::text, NULL::timestamptz, 'opt_out'::text;
        RETURN;
    END IF;

    first_day := (wanted AT TIME ZONE zone)::date;
    -- Day by day from the local day of wanted: which rules hold it.  The
    -- touchpoints are counted per local day over every day a window of
    -- per_days or a pause can reach from the days tried (a series of
    -- whole days, so that ROWS frames are days).
    FOR d IN
        SELECT w.day, w.paused, pg_catalog.max(w.in_window) OVER following_days >= rule.max_attempts AS capped
          FROM (SELECT g.day,
                       pg_catalog.sum(coalesce(k.attempts, 0)) OVER preceding_days AS in_window,
                       rule.pause_after_reached_days > 0
                       AND pg_catalog.sum(coalesce(k.reached, 0)) OVER pause_days > 0 AS paused
                  FROM (SELECT first_day + i AS day
                          FROM pg_catalog.generate_series(-rule.per_days - rule.pause_after_reached_days,
                                                          horizon + rule.per_days) i) g
                  LEFT JOIN (SELECT (coalesce(t.done_at, t.planned_for) AT TIME ZONE zone)::date AS day,
                                    pg_catalog.count(*) FILTER (WHERE t.direction = 'outbound') AS attempts,
                                    pg_catalog.count(*) FILTER (WHERE t.status = 'done' AND t.outcome = 'reached')
                                        AS reached
                               FROM arcollect.touchpoint t
                              WHERE t.customer_id = contact_decision.customer_id
                                AND t.channel = rule.channel
                                AND t.status IN ('planned', 'done')
                                AND (contact_decision.touchpoint_id IS NULL
                                     OR t.touchpoint_id <> contact_decision.touchpoint_id)
                              GROUP BY 1) k ON k.day = g.day
                WINDOW preceding_days AS (ORDER BY g.day ROWS BETWEEN rule.per_days - 1 PRECEDING AND CURRENT ROW),
                       pause_days AS (ORDER BY g.day ROWS BETWEEN greatest(rule.pause_after_reached_days - 1, 0)
                                                      PRECEDING AND CURRENT ROW)) w
        WINDOW following_days AS (ORDER BY w.day ROWS BETWEEN CURRENT ROW AND rule.per_days - 1 FOLLOWING)
        ORDER BY w.day
    LOOP
        CONTINUE WHEN d.day < first_day;
        EXIT WHEN d.day > first_day + horizon;
        why_not_last := CASE WHEN d.paused THEN 'pause_after_reached'
                             WHEN d.capped THEN 'max_attempts'
                             ELSE 'contact_window' END;
        IF d.day = first_day THEN
            why_not_wanted := why_not_last;
        END IF;
        IF NOT d.paused AND NOT d.capped THEN
            opens := arcollect.local_instant(d.day + rule.window_start, zone);
            closes := arcollect.local_instant(d.day + rule.window_end, zone);
            chosen := greatest(wanted, opens);
            IF chosen < closes THEN
                RETURN QUERY SELECT CASE WHEN chosen = wanted THEN 'ok' ELSE 'deferred' END,
                                    chosen,
                                    CASE WHEN chosen <> wanted THEN why_not_wanted END;
                RETURN;
            END IF;
        END IF;
    END LOOP;
    RETURN QUERY SELECT 'skipped'::text, NULL::timestamptz, why_not_last;
END
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
