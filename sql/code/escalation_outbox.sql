-- What is to be sent now: the planned touchpoints of the dunning ladder
-- whose time has come, with their recipient and message, for whatever
-- sends them (a mailer, a dialer, a print run) to read, send, and mark
-- done with arcollect.complete_touchpoint.  The reason is checked again
-- at read time against the stage as of today (arcollect.escalation_stage):
-- a touchpoint whose customer no longer owes anything escalatable (paid,
-- disputed, under a plan or promise since it was planned) never shows,
-- even before a run or a recompute has cancelled it.

CREATE OR REPLACE VIEW arcollect.outbox AS
SELECT t.touchpoint_id, t.customer_id, c.name AS customer_name, c.language, c.time_zone,
       t.currency, t.channel, t.owner, t.planned_for, t.policy_name, t.step_no, s.action,
       t.subject, t.body, st.escalatable_overdue, st.oldest_days_overdue, e.escalation_id
  FROM arcollect.touchpoint t
  JOIN arcollect.escalation_step s ON s.touchpoint_id = t.touchpoint_id
  JOIN arcollect.escalation e ON e.escalation_id = s.escalation_id AND e.ended_on IS NULL
  JOIN arcollect.escalation_stage(current_date) st
    ON st.customer_id = t.customer_id AND st.currency = t.currency AND st.step_no IS NOT NULL
   AND (s.days_from_due <= 0 OR st.escalatable_overdue > 0)
  LEFT JOIN arcollect.customer c ON c.customer_id = t.customer_id
 WHERE t.status = 'planned' AND t.planned_for <= pg_catalog.now();

COMMENT ON VIEW arcollect.outbox IS
'The planned dunning touchpoints due now (planned_for passed), with the recipient and the rendered message, whose escalation is open and whose customer still owes something escalatable in that currency today (checked when read).';
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
COMMENT ON COLUMN arcollect.outbox.escalatable_overdue IS 'What the customer owes escalatable and overdue in the currency today.';
COMMENT ON COLUMN arcollect.outbox.oldest_days_overdue IS 'Days overdue of its oldest escalatable invoice today.';
COMMENT ON COLUMN arcollect.outbox.escalation_id IS 'The escalation episode.';

REVOKE ALL ON arcollect.outbox FROM PUBLIC;
