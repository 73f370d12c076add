-- What is to be sent now: the planned touchpoints of the dunning ladder
-- whose time has come, with their recipient and message, for whatever
-- sends them (a mailer, a dialer, a print run) to read, send, and mark
-- done with arcollect.complete_touchpoint.  Two things are checked again
-- at read time, since either may have changed after the touchpoint was
-- planned:
--   - the reason, against the stage as of today
--     (arcollect.escalation_stage): a touchpoint whose customer no longer
--     owes anything escalatable (paid, disputed, under a plan or promise
--     since it was planned) never shows, even before a run or a recompute
--     has cancelled it;
--   - the customer's consent (arcollect.contact_refusal): a customer made
--     do-not-contact, or opted out of the touchpoint's channel, since it
--     was planned is not contacted, even before the next run has skipped
--     the touchpoint (arcollect.skip_refused_touchpoints); one who opts in
--     again before that run is contacted as planned.

-- The ladder's planned touchpoints whose customer has since been made
-- do-not-contact, or opted out of the touchpoint's channel, are skipped
-- with that rule as their reason (SPEC 2.5: a touchpoint that would break
-- a contact rule is skipped with the rule as its reason), as the run
-- would have skipped them had the setting been there when it planned
-- them; otherwise they would stay planned for ever, hidden from the
-- outbox but shown as the customer's next touchpoint.  The episode goes
-- on: its next step is planned, and skipped too while the setting holds.
-- Skipped is final: a customer who opts in again is contacted from the
-- next step on.  Touchpoints planned by hand (no escalation step) are the
-- collector's, and are left alone.  CALL arcollect.run_escalations calls
-- it first, with its run_id, which counts the touchpoints in the run's
-- touchpoints_skipped; anyone with UPDATE on arcollect.touchpoint may call
-- it any time.  Returns how many it skipped.  Caller's rights.
CREATE OR REPLACE FUNCTION arcollect.skip_refused_touchpoints(run_id bigint DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    n integer;
BEGIN
    WITH refused AS (
        SELECT t.touchpoint_id, arcollect.contact_refusal(c.do_not_contact, c.opt_out_channels, t.channel) AS reason
          FROM arcollect.touchpoint t
          JOIN arcollect.escalation_step s ON s.touchpoint_id = t.touchpoint_id
          JOIN arcollect.customer c ON c.customer_id = t.customer_id
         WHERE t.status = 'planned'
           AND arcollect.contact_refusal(c.do_not_contact, c.opt_out_channels, t.channel) IS NOT NULL
    ), skipped AS (
        UPDATE arcollect.touchpoint t SET status = 'skipped', reason = r.reason
          FROM refused r
         WHERE t.touchpoint_id = r.touchpoint_id AND t.status = 'planned'
        RETURNING t.touchpoint_id)
    SELECT pg_catalog.count(*) INTO n FROM skipped;
    IF n > 0 AND skip_refused_touchpoints.run_id IS NOT NULL THEN
        UPDATE arcollect.escalation_run r SET touchpoints_skipped = r.touchpoints_skipped + n
         WHERE r.run_id = skip_refused_touchpoints.run_id;
    END IF;
    RETURN n;
END
$fn$;

COMMENT ON FUNCTION arcollect.skip_refused_touchpoints(bigint) IS
'Skips the planned touchpoints of the dunning ladder whose customer has since been made do-not-contact or opted out of the touchpoint''s channel, with the rule (do_not_contact, opt_out) as reason, and returns how many; given a run_id, adds them to that run''s touchpoints_skipped. CALL arcollect.run_escalations calls it first.';

CREATE OR REPLACE VIEW arcollect.outbox WITH (security_invoker = true) AS
SELECT t.touchpoint_id, t.customer_id, c.name AS customer_name, c.language, c.time_zone,
       t.currency, t.channel, t.owner, t.planned_for, t.policy_name, t.step_no, s.action,
       t.subject, t.body, s.render_error, st.escalatable_overdue, st.oldest_days_overdue, e.escalation_id
  FROM arcollect.touchpoint t
  JOIN arcollect.escalation_step s ON s.touchpoint_id = t.touchpoint_id
  JOIN arcollect.escalation e ON e.escalation_id = s.escalation_id AND e.ended_on IS NULL
  JOIN arcollect.escalation_stage(current_date) st
    ON st.customer_id = t.customer_id AND st.currency = t.currency AND st.step_no IS NOT NULL
   AND (s.days_from_due <= 0 OR st.escalatable_overdue > 0)
  LEFT JOIN arcollect.customer c ON c.customer_id = t.customer_id
 WHERE t.status = 'planned' AND t.planned_for <= pg_catalog.now()
   -- the customer still lets itself be contacted on the channel
   AND arcollect.contact_refusal(c.do_not_contact, c.opt_out_channels, t.channel) IS NULL
   -- a message that could not be rendered is not sent blank
   AND (t.body IS NOT NULL OR t.channel NOT IN ('email', 'letter', 'sms', 'portal'));

COMMENT ON VIEW arcollect.outbox IS
'The planned dunning touchpoints due now (planned_for passed), but not those of a channel that sends a message (email, letter, sms, portal) whose message could not be rendered (arcollect.unrendered_messages), with the recipient and the rendered message, whose escalation is open, whose customer still owes something escalatable in that currency today and has not since been made do-not-contact or opted out of the channel (both checked when read).';
COMMENT ON COLUMN arcollect.outbox.touchpoint_id IS 'The touchpoint; mark it done with arcollect.complete_touchpoint once sent.';
COMMENT ON COLUMN arcollect.outbox.customer_id IS 'The recipient.';
COMMENT ON COLUMN arcollect.outbox.customer_name IS 'Display name of the recipient, if set.';
COMMENT ON COLUMN arcollect.outbox.language IS 'The recipient''s language.';
COMMENT ON COLUMN arcollect.outbox.time_zone IS 'The recipient''s time zone.';
COMMENT ON COLUMN arcollect.outbox.currency IS 'The currency the message is about.';
COMMENT ON COLUMN arcollect.outbox.channel IS 'How to send it: email, call, sms, letter, portal or meeting.';
COMMENT ON COLUMN arcollect.outbox.owner IS 'Collector responsible (for calls: who calls).';
COMMENT ON COLUMN arcollect.outbox.planned_for IS 'When it was to be made.';
COMMENT ON COLUMN arcollect.outbox.policy_name IS 'Policy of the step.';
COMMENT ON COLUMN arcollect.outbox.step_no IS 'The step.';
COMMENT ON COLUMN arcollect.outbox.action IS 'The step''s action when it was taken.';
COMMENT ON COLUMN arcollect.outbox.subject IS 'Subject of the rendered message.';
COMMENT ON COLUMN arcollect.outbox.body IS 'Body of the rendered message.';
COMMENT ON COLUMN arcollect.outbox.render_error IS 'Why the message could not be rendered (a call or meeting without its script), NULL when it was.';
COMMENT ON COLUMN arcollect.outbox.escalatable_overdue IS 'What the customer owes escalatable and overdue in the currency today.';
COMMENT ON COLUMN arcollect.outbox.oldest_days_overdue IS 'Days overdue of its oldest escalatable invoice today.';
COMMENT ON COLUMN arcollect.outbox.escalation_id IS 'The escalation episode.';

-- The planned touchpoints of the ladder whose message could not be
-- rendered, with why: for an admin to fix the template or the customer
-- (its owner, its language), after which the next run renders them
-- (or arcollect.render_escalation_message(touchpoint_id) now).
CREATE OR REPLACE VIEW arcollect.unrendered_messages WITH (security_invoker = true) AS
SELECT t.touchpoint_id, t.customer_id, t.currency, t.channel, t.planned_for, t.policy_name, t.step_no,
       s.template_name, c.language, s.render_error,
       t.channel IN ('email', 'letter', 'sms', 'portal') AS held_from_outbox
  FROM arcollect.touchpoint t
  JOIN arcollect.escalation_step s ON s.touchpoint_id = t.touchpoint_id
  LEFT JOIN arcollect.customer c ON c.customer_id = t.customer_id
 WHERE t.status = 'planned' AND s.render_error IS NOT NULL;

COMMENT ON VIEW arcollect.unrendered_messages IS
'The planned dunning touchpoints whose message could not be rendered, with the error (arcollect.escalation_step.render_error): fix the template or the customer (its owner), and the next run renders them (or arcollect.render_escalation_message). Those of a channel that sends a message are left out of arcollect.outbox until then.';
COMMENT ON COLUMN arcollect.unrendered_messages.touchpoint_id IS 'The planned touchpoint.';
COMMENT ON COLUMN arcollect.unrendered_messages.customer_id IS 'Its customer.';
COMMENT ON COLUMN arcollect.unrendered_messages.currency IS 'The currency it is about.';
COMMENT ON COLUMN arcollect.unrendered_messages.channel IS 'Its channel.';
COMMENT ON COLUMN arcollect.unrendered_messages.planned_for IS 'When it is to be made.';
COMMENT ON COLUMN arcollect.unrendered_messages.policy_name IS 'Policy of the step.';
COMMENT ON COLUMN arcollect.unrendered_messages.step_no IS 'The step.';
COMMENT ON COLUMN arcollect.unrendered_messages.template_name IS 'The step''s message template.';
COMMENT ON COLUMN arcollect.unrendered_messages.language IS 'The customer''s language.';
COMMENT ON COLUMN arcollect.unrendered_messages.render_error IS 'Why it could not be rendered (the error of arcollect.render_touchpoint).';
COMMENT ON COLUMN arcollect.unrendered_messages.held_from_outbox IS 'Whether arcollect.outbox leaves it out (a channel that sends a message: email, letter, sms, portal); a call or meeting shows there without its script.';

REVOKE ALL ON arcollect.outbox, arcollect.unrendered_messages FROM PUBLIC;
