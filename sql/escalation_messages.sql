-- Message templates: the placeholders; the installed templates (every one
-- renders with no placeholder left, and the default ladder has its
-- templates in English and German on its steps' channels); templates the
-- table refuses (an unknown placeholder, stray braces, a subject where a
-- channel has none); the language fallback; render_message's refusals;
-- and the messages of real touchpoints, rendered from what they recorded
-- (a German firm letter, an English late-fee notice with its claim),
-- stored on the touchpoint and sent.  Done as the roles doc/ledger.md
-- grants: ar_admin edits templates (the installed ones then become the
-- user's), a collector renders but cannot edit.  Errors are shown as
-- SQLSTATE and message, one line each (em_try).  Edits of the installed
-- templates are rolled back.
SET client_min_messages = warning;
SET datestyle = 'German';   -- messages write dates as YYYY-MM-DD whatever it says
CREATE FUNCTION em_try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END
$$;
-- the same, with the error's detail
CREATE FUNCTION em_detail(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ' ' || SQLERRM || ' (' || detail || ')';
END
$$;
CREATE ROLE bi_reader NOLOGIN;
CREATE ROLE collector NOLOGIN;
CREATE ROLE ar_admin NOLOGIN;
-- (not echoed: the grants change as objects are added; the test shows
-- what they allow)
\set ECHO none
\i doc/ledger_roles.sql
\set ECHO all

-- The placeholders templates may use.
SELECT placeholder, meaning FROM arcollect.message_placeholder;

-- The installed templates: each name in en and de, on its channels; no
-- subject on a call or a text message.
SELECT template_name, language, string_agg(channel, ', ' ORDER BY channel) AS channels,
       bool_and(seeded) AS seeded, string_agg(channel, ', ' ORDER BY channel) FILTER (WHERE subject IS NULL) AS no_subject
  FROM arcollect.message_template
 GROUP BY template_name, language
 ORDER BY template_name, language;
-- every step of the installed ladder finds its template, in both languages
SELECT s.step_no, s.template_name, s.channel, string_agg(t.language, ', ' ORDER BY t.language) AS languages
  FROM arcollect.policy_step s
  LEFT JOIN arcollect.message_template t ON t.template_name = s.template_name AND t.channel = s.channel
 WHERE s.policy_name = 'default'
 GROUP BY s.step_no, s.template_name, s.channel
 ORDER BY s.step_no;

-- Every installed template renders with no placeholder left, given a
-- value for every placeholder (<name>), and each installed template
-- passes the check a written one is held to (rewritten to itself, rolled
-- back).  Which placeholders each uses:
WITH every AS (SELECT jsonb_object_agg(placeholder, '<' || placeholder || '>') AS vals
                 FROM arcollect.message_placeholder)
SELECT count(*) AS rendered,
       count(*) FILTER (WHERE r.body ~ '\{\{|\}\}' OR r.subject ~ '\{\{|\}\}') AS with_braces_left,
       count(*) FILTER (WHERE (r.subject IS NULL) <> (t.subject IS NULL)) AS subject_lost,
       count(*) FILTER (WHERE r.body !~ '<customer_name>' AND r.body !~ '<customer_id>') AS not_addressed
  FROM arcollect.message_template t, every,
       arcollect.render_message(t.template_name, t.language, t.channel, every.vals) r
 WHERE t.seeded;
BEGIN;
SELECT em_try($$UPDATE arcollect.message_template SET body = body, subject = subject WHERE seeded$$) AS recheck;
ROLLBACK;
SELECT t.template_name, t.language, string_agg(DISTINCT t.channel, ', ') AS channels,
       (SELECT string_agg(DISTINCT p.placeholder, ' ')
          FROM arcollect.message_template u,
               LATERAL (SELECT placeholder FROM arcollect.message_parts(u.subject)
                        UNION ALL SELECT placeholder FROM arcollect.message_parts(u.body)) p
         WHERE u.template_name = t.template_name AND u.language = t.language) AS placeholders
  FROM arcollect.message_template t
 GROUP BY t.template_name, t.language
 ORDER BY t.template_name, t.language;

-- A template's text split into text and placeholders; single braces are
-- text.
SELECT * FROM arcollect.message_parts('Dear {{customer_name}}, {see} {{owner}}');
SELECT * FROM arcollect.message_parts('');

-- Amounts as messages write them: rounded to the currency, separators by
-- language (fr's no-break space shown as _), from the number's text (no
-- to_char, so lc_numeric has no say).
SELECT x.amount, x.currency,
       arcollect.format_money(x.amount, x.currency) AS en,
       arcollect.format_money(x.amount, x.currency, 'de-AT') AS de_at,
       replace(arcollect.format_money(x.amount, x.currency, 'fr'), chr(160), '_') AS fr
  FROM (VALUES (0, 'EUR'), (12.5, 'EUR'), (999.995, 'EUR'), (1234567.125, 'EUR'), (-1234.5, 'EUR'),
               (1234.5, 'JPY'), (1234.5678, 'KWD')) x(amount, currency);

-- Templates the table refuses, whoever writes them: an unknown
-- placeholder (misspelt, capitalised, spaced), stray braces, and a
-- subject on a channel that has none, or none where one is needed.
SELECT em_try($$INSERT INTO arcollect.message_template (template_name, language, channel, subject, body)
                VALUES ('thanks', 'en', 'email', 'Thank you', 'Dear {{customer}}, thank you.')$$) AS misspelt;
SELECT em_try($$INSERT INTO arcollect.message_template (template_name, language, channel, subject, body)
                VALUES ('thanks', 'en', 'email', 'Thank you {{Customer_Name}}', 'Thank you.')$$) AS capitalised;
SELECT em_try($$INSERT INTO arcollect.message_template (template_name, language, channel, subject, body)
                VALUES ('thanks', 'en', 'email', 'Thank you', 'Thank you, {{ customer_name }}.')$$) AS spaced;
SELECT em_try($$INSERT INTO arcollect.message_template (template_name, language, channel, subject, body)
                VALUES ('thanks', 'en', 'email', 'Thank you', 'Dear {{customer_name},')$$) AS unclosed;
SELECT em_try($$INSERT INTO arcollect.message_template (template_name, language, channel, subject, body)
                VALUES ('thanks', 'en', 'email', 'Thank you', 'We received {{total_due}} {{currency}}}} today.')$$) AS stray_close;
SELECT em_try($$INSERT INTO arcollect.message_template (template_name, language, channel, subject, body)
                VALUES ('thanks', 'en', 'email', 'Thank you', 'Thank you, {{owner')$$) AS unclosed_at_end;
SELECT em_try($$INSERT INTO arcollect.message_template (template_name, language, channel, subject, body)
                VALUES ('thanks', 'en', 'call', 'Thank you', 'Thank the customer.')$$) AS subject_on_a_call;
SELECT em_try($$INSERT INTO arcollect.message_template (template_name, language, channel, subject, body)
                VALUES ('thanks', 'en', 'letter', NULL, 'Thank you.')$$) AS letter_without_subject;
SELECT em_try($$INSERT INTO arcollect.message_template (template_name, language, channel, subject, body)
                VALUES ('thanks', 'EN', 'email', 'Thank you', 'Thank you.')$$) AS language_tag;
SELECT em_detail($$UPDATE arcollect.message_template SET body = body || ' {{iban}}'
                 WHERE template_name = 'firm_letter' AND language = 'de' AND channel = 'letter'$$) AS edit_unknown;

-- Which language a message is written in: the customer's, else its
-- primary subtag, else en.  A template of de-CH of the users' own wins
-- for de-CH only (rolled back).
BEGIN;
INSERT INTO arcollect.message_template (template_name, language, channel, subject, body)
VALUES ('friendly_reminder', 'de-CH', 'email', 'Zahlungserinnerung', 'Grüezi {{customer_name}}');
SELECT l AS customer_language,
       arcollect.message_template_language('friendly_reminder', l, 'email') AS template_language,
       (arcollect.render_message('friendly_reminder', l, 'email', '{"customer_name": "Dune", "customer_id": "d1", "total_overdue": "1", "currency": "EUR", "oldest_days_overdue": "3", "invoice_list": "-", "owner": "maria"}')).subject
  FROM unnest('{en,de,de-AT,de-CH,fr,fr-CA}'::text[]) l;
ROLLBACK;
SELECT arcollect.message_template_language('friendly_reminder', 'de', 'meeting') AS no_meeting_template;

-- render_message refuses a value missing for a placeholder the template
-- uses (an empty string is a value), a key that is no placeholder, vals
-- that are not an object, and a template that does not exist (the detail
-- says where the name exists).
SELECT em_try($$SELECT * FROM arcollect.render_message('call_script', 'en', 'call', '{"customer_name": "Dune"}')$$) AS missing;
SELECT em_try($$SELECT * FROM arcollect.render_message('pre_due_reminder', 'en', 'sms',
                  '{"customer_name": "", "total_due": "1", "currency": "EUR", "earliest_due_date": "2025-06-30", "owner": "", "iban": "DE00"}')$$) AS unknown_key;
SELECT em_try($$SELECT * FROM arcollect.render_message('pre_due_reminder', 'en', 'sms', '[1, 2]')$$) AS not_an_object;
SELECT em_detail($$SELECT * FROM arcollect.render_message('thanks', 'en', 'email', '{}')$$) AS no_template;
SELECT em_try($$SELECT * FROM arcollect.render_message('thanks', 'de-AT', 'email', '{}')$$) AS no_template;
SELECT em_detail($$SELECT * FROM arcollect.render_message('call_script', 'de', 'email', '{}')$$) AS wrong_channel;
SELECT * FROM arcollect.render_message('pre_due_reminder', 'en', 'sms',
                  '{"customer_name": "", "total_due": "1.00", "currency": "EUR", "earliest_due_date": "2025-06-30", "owner": ""}');

-- One message in full, in English, from given values (the full messages
-- are shown as they are, unaligned).
\pset format unaligned
\pset fieldsep '\n'
SELECT subject, body
  FROM arcollect.render_message('friendly_reminder', 'en', 'email',
        jsonb_build_object('customer_name', 'Brightline Ltd', 'customer_id', 'b1', 'owner', 'Maria Keller',
                           'currency', 'GBP', 'total_overdue', '1,499.99', 'oldest_days_overdue', 12,
                           'invoice_list', E'B-17 | 2025-05-19 | 999.99 GBP\nB-21 | 2025-05-28 | 500.00 GBP'));
\pset format aligned

-- Messages of touchpoints.  em1 (German, Europe/Berlin, owner maria)
-- owes in EUR: EM-1 1,250.00 due 2025-05-01; EM-2 980.40 due 2025-05-20,
-- 80.40 paid (900.00 open); EM-3 400.00 due 2025-06-30; and EM-U1 in USD.
-- em2 (English, no owner) owes EM-G1, GBP 999.99 due 2025-01-31.
CREATE TABLE em_bill (id text PRIMARY KEY, cust text NOT NULL, amount numeric(12,2), paid numeric(12,2) DEFAULT 0,
                      paid_on date, issued date, due date, cur text);
INSERT INTO em_bill VALUES ('EM-1', 'em1', 1250.00, 0, NULL, '2025-04-01', '2025-05-01', 'EUR'),
                           ('EM-2', 'em1', 980.40, 80.40, '2025-05-25', '2025-04-20', '2025-05-20', 'EUR'),
                           ('EM-3', 'em1', 400.00, 0, NULL, '2025-05-31', '2025-06-30', 'EUR'),
                           ('EM-U1', 'em1', 75.00, 0, NULL, '2025-04-01', '2025-05-01', 'USD'),
                           ('EM-G1', 'em2', 999.99, 0, NULL, '2025-01-01', '2025-01-31', 'GBP');
SELECT arcollect.attach('em_bill', key => 'id', customer => 'cust', amount => 'amount', paid => 'paid', paid_on => 'paid_on',
                        issued_on => 'issued', due_on => 'due', currency => 'cur') AS imported;
UPDATE arcollect.customer SET name = 'Dune GmbH', owner = 'maria', language = 'de', time_zone = 'Europe/Berlin'
 WHERE customer_id = 'em1';
UPDATE arcollect.customer SET name = 'Northwind Ltd', time_zone = 'Europe/London' WHERE customer_id = 'em2';
-- em2 follows a policy whose only step is a fee (UK compensation and
-- 12.25 % a year) by email
INSERT INTO arcollect.policy (policy_name, description) VALUES ('em_fees', 'A late-fee notice.');
INSERT INTO arcollect.policy_step (policy_name, step_no, days_from_due, channel, template_name, action,
                                   min_overdue_amount, fee_regime, interest_rate)
VALUES ('em_fees', 1, 30, 'email', 'late_fee_notice', 'fee', 0, 'uk', 0.1225);
UPDATE arcollect.customer SET escalation_policy = 'em_fees' WHERE customer_id = 'em2';

-- The collector renders the messages of touchpoints the ladder planned,
-- keeps them on the touchpoint and sends them.
SET ROLE collector;
-- em1, step 4 of default (a firm letter) on 2025-06-05 at 00:30 in
-- Berlin (still June 4 in UTC): EM-1 35 days and EM-2 16 days overdue,
-- 2,150.00 in all (EM-3 is not listed)
INSERT INTO arcollect.touchpoint (touchpoint_id, customer_id, currency, channel, status, planned_for, policy_name, step_no)
VALUES (9001, 'em1', 'EUR', 'letter', 'planned', '2025-06-04 22:30+00', 'default', 4);
INSERT INTO arcollect.touchpoint_invoice (touchpoint_id, invoice_key) VALUES (9001, 'EM-2'), (9001, 'EM-1');
\pset format unaligned
\pset fieldsep '\n'
SELECT subject, body FROM arcollect.render_touchpoint(9001);
\pset format aligned
-- em1, step 1 (before the due date), listing EM-3: nothing overdue yet
INSERT INTO arcollect.touchpoint (touchpoint_id, customer_id, currency, channel, status, planned_for, policy_name, step_no)
VALUES (9002, 'em1', 'EUR', 'email', 'planned', '2025-06-27 08:00+00', 'default', 1);
INSERT INTO arcollect.touchpoint_invoice (touchpoint_id, invoice_key) VALUES (9002, 'EM-3');
SELECT subject FROM arcollect.render_touchpoint(9002);
-- em2's fee step on 2025-03-02 (30 days late): the claim made with the
-- touchpoint, 999.99 × 0.1225 × 30 / 365 = 10.0684 -> 10.07 and GBP 40;
-- the template signs with the owner, which em2 has none of yet
INSERT INTO arcollect.touchpoint (touchpoint_id, customer_id, currency, channel, status, planned_for, policy_name, step_no)
VALUES (9003, 'em2', 'GBP', 'email', 'planned', '2025-03-02 09:00+00', 'em_fees', 1);
INSERT INTO arcollect.touchpoint_invoice (touchpoint_id, invoice_key) VALUES (9003, 'EM-G1');
SELECT * FROM arcollect.claim_late_fees('em2', 'GBP', 'uk', 0.1225, '2025-03-02', touchpoint_id => 9003);
SELECT em_try($$SELECT * FROM arcollect.render_touchpoint(9003)$$) AS without_owner;
UPDATE arcollect.touchpoint SET owner = 'James Reid' WHERE touchpoint_id = 9003;
\pset format unaligned
\pset fieldsep '\n'
SELECT subject, body FROM arcollect.render_touchpoint(9003);
\pset format aligned
-- what was sent is on record, and the outcome
UPDATE arcollect.touchpoint t SET subject = r.subject, body = r.body
  FROM arcollect.render_touchpoint(9003) r WHERE t.touchpoint_id = 9003;
SELECT arcollect.complete_touchpoint(9003, 'sent', done_at => '2025-03-02 09:01+00');
SELECT touchpoint_id, status, outcome, subject, length(body) > 0 AS has_body, body ~ '40\.00 GBP' AS states_the_fee
  FROM arcollect.touchpoints WHERE touchpoint_id = 9003;
-- a message of no policy step, of several currencies, of no touchpoint
INSERT INTO arcollect.touchpoint (touchpoint_id, customer_id, channel, status, outcome, done_at)
VALUES (9005, 'em1', 'call', 'done', 'reached', '2025-06-06 10:00+00');
SELECT em_try($$SELECT * FROM arcollect.render_touchpoint(9005)$$) AS by_hand;
INSERT INTO arcollect.touchpoint (touchpoint_id, customer_id, channel, status, planned_for, policy_name, step_no)
VALUES (9004, 'em1', 'letter', 'planned', '2025-06-05 08:00+00', 'default', 4);
INSERT INTO arcollect.touchpoint_invoice (touchpoint_id, invoice_key) VALUES (9004, 'EM-1'), (9004, 'EM-U1');
SELECT em_try($$SELECT * FROM arcollect.render_touchpoint(9004)$$) AS two_currencies;
SELECT em_try($$SELECT * FROM arcollect.render_touchpoint(-1)$$) AS no_touchpoint;
-- collectors do not edit templates
SELECT em_try($$UPDATE arcollect.message_template SET body = 'Pay.' WHERE template_name = 'firm_letter'$$) AS collector_edits;
SELECT em_try($$INSERT INTO arcollect.message_template (template_name, language, channel, subject, body)
                VALUES ('thanks', 'en', 'email', 'Thank you', 'Thank you.')$$) AS collector_adds;
RESET ROLE;

-- ar_admin edits an installed template: it becomes the user's (seeded
-- false, so pg_dump keeps it), with who changed it; adds one of its own;
-- and an INSERT of an installed template's key (what a restore does)
-- replaces the installed row.  Rolled back.
BEGIN;
SET ROLE ar_admin;
UPDATE arcollect.message_template SET subject = 'A reminder: {{total_overdue}} {{currency}} past due'
 WHERE template_name = 'friendly_reminder' AND language = 'en' AND channel = 'email';
INSERT INTO arcollect.message_template (template_name, language, channel, subject, body)
VALUES ('thanks', 'en', 'email', 'Thank you, {{customer_name}}', 'We received your payment. {{owner}}'),
       ('final_notice', 'en', 'letter', 'Final notice', '{{message_date}}: please pay {{total_overdue}} {{currency}}.');
SELECT template_name, language, channel, subject, seeded, changed_by, changed_at IS NOT NULL AS changed_at_set
  FROM arcollect.message_template
 WHERE NOT seeded ORDER BY template_name, language, channel;
SELECT count(*) AS final_notice_en_letter FROM arcollect.message_template
 WHERE template_name = 'final_notice' AND language = 'en' AND channel = 'letter';
SELECT subject FROM arcollect.render_touchpoint(9003);
RESET ROLE;
ROLLBACK;
SELECT count(*) FILTER (WHERE seeded) AS seeded, count(*) AS templates FROM arcollect.message_template;

-- PUBLIC has nothing on the templates, and reads the placeholders.
SELECT c.relname,
       EXISTS (SELECT FROM aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) g
                WHERE g.grantee = 0) AS public_reads
  FROM pg_class c
 WHERE c.relnamespace = 'arcollect'::regnamespace AND c.relname IN ('message_template', 'message_placeholder')
 ORDER BY c.relname;

DROP OWNED BY bi_reader, collector, ar_admin;
DROP ROLE bi_reader, collector, ar_admin;
DELETE FROM arcollect.late_fee_claim WHERE customer_id LIKE 'em%';
DELETE FROM arcollect.touchpoint WHERE customer_id LIKE 'em%';
UPDATE arcollect.customer SET escalation_policy = NULL WHERE customer_id = 'em2';
DELETE FROM arcollect.policy WHERE policy_name = 'em_fees';
DELETE FROM arcollect.customer WHERE customer_id LIKE 'em%';
SELECT arcollect.detach('em_bill');
DROP TABLE em_bill;
DROP FUNCTION em_try(text), em_detail(text);
