-- Escalation policies: the dunning ladders.  A policy is a named list of
-- steps, each taken a number of days from an invoice's due date (negative:
-- before it) on a channel, with a message template and an action; which
-- policy a customer follows is arcollect.customer_policy
-- (sql/code/escalation_policy.sql): its own escalation_policy, else its
-- segment's (arcollect.segment_policy), else `default`, which the install
-- makes (below) and admins may edit but not drop or rename.
--
-- The rules that need more than one row are triggers, created in
-- sql/code/escalation_policy.sql with their functions: within a policy,
-- days_from_due increases strictly with step_no, checked when the
-- transaction commits, so that an admin can insert a step between two
-- and renumber the ones after it in one transaction; and the first edit
-- of an installed (seeded) policy makes the whole policy, steps
-- included, the user's (seeded false), so that pg_dump keeps the edited
-- ladder and a restore puts it in place of the installed one.
--
-- A policy may have no steps: its customers are never escalated (a
-- ladder for the customers nobody duns).  Requiring a step at commit
-- would also refuse pg_restore, which loads arcollect.policy and
-- arcollect.policy_step in transactions of their own.

CREATE TABLE arcollect.policy (
    -- lower-case words joined by underscores, as dispute reason codes:
    -- names are typed into customers' and segments' settings and matched
    -- exactly
    policy_name  text COLLATE "C" PRIMARY KEY
                 CONSTRAINT policy_name_spelling
                 CHECK (policy_name ~ '^[a-z][a-z0-9]*(_[a-z0-9]+)*$' AND length(policy_name) <= 63),
    description  text,
    -- the extension's own rows, which every install (so every restore)
    -- makes: left out of dumps, with their steps
    seeded       boolean NOT NULL DEFAULT false,
    -- NULL for the installed policies: made by no one in particular, and
    -- the same in every database (a restored one too)
    created_by   name DEFAULT current_user,
    created_at   timestamptz DEFAULT pg_catalog.now()
) USING heap;

COMMENT ON TABLE arcollect.policy IS
'Escalation (dunning) policies: each is a ladder of steps (arcollect.policy_step). A customer follows its own policy, else its segment''s, else default (arcollect.customer_policy). The installed default policy can be edited, not dropped or renamed.';
COMMENT ON COLUMN arcollect.policy.policy_name IS 'Name of the policy, in lower-case letters and digits with single underscores between words (key_accounts), at most 63 characters.';
COMMENT ON COLUMN arcollect.policy.description IS 'What the policy is for, for people.';
COMMENT ON COLUMN arcollect.policy.seeded IS 'True while the policy is the one the extension installed, unedited: pg_dump leaves it and its steps out (a restore installs them again). Any edit of the policy or of one of its steps sets it to false for good, and the whole policy is dumped.';
COMMENT ON COLUMN arcollect.policy.created_by IS 'Role that created the policy; NULL for the policies the extension installs.';
COMMENT ON COLUMN arcollect.policy.created_at IS 'When the policy was created; NULL for the policies the extension installs.';

CREATE TABLE arcollect.policy_step (
    policy_name         text COLLATE "C" NOT NULL
                        REFERENCES arcollect.policy ON UPDATE CASCADE ON DELETE CASCADE,
    step_no             integer NOT NULL CONSTRAINT policy_step_no_positive CHECK (step_no > 0),
    days_from_due       integer NOT NULL,
    -- the channels of touchpoints (and of customers' opt-outs)
    channel             text NOT NULL
                        CONSTRAINT policy_step_channel_known
                        CHECK (channel IN ('email', 'call', 'sms', 'letter', 'portal', 'meeting')),
    -- a template of arcollect.message_template (by name: one per language
    -- and channel there); no foreign key yet, the messages come later
    template_name       text COLLATE "C" NOT NULL,
    action              text NOT NULL
                        CONSTRAINT policy_step_action_known
                        CHECK (action IN ('remind', 'call', 'letter', 'final_notice', 'fee', 'credit_hold',
                                          'agency_referral', 'legal', 'write_off_review')),
    -- compared with the escalatable total of the invoices the step would
    -- list (arcollect.escalation_stage): for a step after the due date
    -- that is the escalatable overdue total; a pre-due step lists the
    -- invoices coming due within its days too, so that a threshold on a
    -- reminder before the due date can be met while nothing is overdue yet
    min_overdue_amount  numeric NOT NULL DEFAULT 0
                        CONSTRAINT policy_step_min_overdue_not_negative CHECK (min_overdue_amount >= 0),
    fee_regime          text CONSTRAINT policy_step_fee_regime_known CHECK (fee_regime IN ('eu', 'uk')),
    interest_rate       numeric
                        CONSTRAINT policy_step_interest_rate_fraction CHECK (interest_rate >= 0 AND interest_rate <= 1),
    -- what a fee step claims, and only a fee step
    CONSTRAINT policy_step_fee_terms
        CHECK ((action = 'fee') = (fee_regime IS NOT NULL)
               AND (action = 'fee') = (interest_rate IS NOT NULL)),
    -- checked at the end of each statement, so that one UPDATE can
    -- renumber the steps after an inserted one (step_no = step_no + 1)
    CONSTRAINT policy_step_pkey PRIMARY KEY (policy_name, step_no) DEFERRABLE
) USING heap;

COMMENT ON TABLE arcollect.policy_step IS
'The steps of each escalation policy, in step_no order: when (days from the due date), on which channel, with which message template, doing what. Within a policy, days_from_due increases strictly with step_no (checked at commit).';
COMMENT ON COLUMN arcollect.policy_step.policy_name IS 'The policy (arcollect.policy).';
COMMENT ON COLUMN arcollect.policy_step.step_no IS 'Position of the step in its policy, positive; steps are taken in this order (numbers may have gaps).';
COMMENT ON COLUMN arcollect.policy_step.days_from_due IS 'Days from the due date at which the step is taken (a customer''s stage follows its oldest escalatable amount); negative: before the due date.';
COMMENT ON COLUMN arcollect.policy_step.channel IS 'How the customer is contacted: email, call, sms, letter, portal or meeting.';
COMMENT ON COLUMN arcollect.policy_step.template_name IS 'Name of the message template the step sends (arcollect.message_template, in the customer''s language).';
COMMENT ON COLUMN arcollect.policy_step.action IS 'What the step does: remind, call, letter, final_notice, fee, credit_hold, agency_referral, legal or write_off_review.';
COMMENT ON COLUMN arcollect.policy_step.min_overdue_amount IS 'The step is not taken while the escalatable total of the invoices it would list (in the currency escalated) is below this amount: for a step after the due date (days_from_due > 0), the escalatable overdue total; for a pre-due step (days_from_due <= 0), that and the escalatable amount of the invoices coming due within its days. 0 by default.';
COMMENT ON COLUMN arcollect.policy_step.fee_regime IS 'For a fee step (and only then), the late-payment compensation regime it claims: eu (EUR 40) or uk (GBP 40, 70 or 100 by amount).';
COMMENT ON COLUMN arcollect.policy_step.interest_rate IS 'For a fee step (and only then), the annual rate of the simple late-payment interest it claims, as a fraction (0.12 for 12 percent; 0 for none).';

CREATE TABLE arcollect.segment_policy (
    -- as arcollect.customer.segment, matched exactly
    segment      text COLLATE "C" PRIMARY KEY,
    policy_name  text COLLATE "C" NOT NULL REFERENCES arcollect.policy ON UPDATE CASCADE,
    created_by   name NOT NULL DEFAULT current_user,
    created_at   timestamptz NOT NULL DEFAULT pg_catalog.now()
) USING heap;

COMMENT ON TABLE arcollect.segment_policy IS
'The escalation policy of each customer segment: the customers of the segment that name no policy of their own follow it.';
COMMENT ON COLUMN arcollect.segment_policy.segment IS 'A customer segment, as arcollect.customer.segment spells it (matched exactly).';
COMMENT ON COLUMN arcollect.segment_policy.policy_name IS 'The policy its customers follow (arcollect.policy); a policy a segment follows cannot be dropped.';
COMMENT ON COLUMN arcollect.segment_policy.created_by IS 'Role that set the segment''s policy.';
COMMENT ON COLUMN arcollect.segment_policy.created_at IS 'When the segment''s policy was set.';

-- A customer's own policy is one that exists, and follows it when
-- renamed; a policy a customer names cannot be dropped.
ALTER TABLE arcollect.customer_setting
    ADD CONSTRAINT customer_setting_escalation_policy_fkey
    FOREIGN KEY (escalation_policy) REFERENCES arcollect.policy ON UPDATE CASCADE;

-- The installed ladder (before the triggers of sql/code/ exist, which
-- would make it the user's).  The template names are the ones the
-- installed message templates carry.
INSERT INTO arcollect.policy (policy_name, description, seeded, created_by, created_at) VALUES
    ('default', 'The installed ladder, for customers whose own and segment settings name no policy: a reminder before the due date, a friendly reminder, a call, a firm letter, a final notice, then an agency referral.', true, NULL, NULL);
INSERT INTO arcollect.policy_step (policy_name, step_no, days_from_due, channel, template_name, action) VALUES
    ('default', 1, -3, 'email', 'pre_due_reminder', 'remind'),
    ('default', 2, 1, 'email', 'friendly_reminder', 'remind'),
    ('default', 3, 15, 'call', 'call_script', 'call'),
    ('default', 4, 30, 'letter', 'firm_letter', 'letter'),
    ('default', 5, 60, 'letter', 'final_notice', 'final_notice'),
    ('default', 6, 90, 'letter', 'agency_referral', 'agency_referral');

-- Seeded policies and their steps are made by every install, so they are
-- not dumped (a restore would make them twice); users' policies, the
-- edited installed ones (whole), and every segment's policy are.
SELECT pg_catalog.pg_extension_config_dump('arcollect.policy', 'WHERE NOT seeded');
SELECT pg_catalog.pg_extension_config_dump('arcollect.policy_step',
    'WHERE policy_name IN (SELECT p.policy_name FROM arcollect.policy p WHERE NOT p.seeded)');
SELECT pg_catalog.pg_extension_config_dump('arcollect.segment_policy', '');
