-- Message templates: what the dunning ladder sends, per template name,
-- language and channel.  A policy step names a template
-- (arcollect.policy_step.template_name); the customer's language picks
-- the row, falling back to en, and the step's channel the variant.
-- Templates hold placeholders, {{name}}, from the one list of
-- arcollect.message_placeholder; rendering them is
-- sql/code/message_template.sql, and so are the rules a template is held
-- to when it is written (a trigger: placeholders known and well formed,
-- every edit of an installed template makes it the user's).
--
-- The install seeds the templates of the installed ladder and of the fee
-- and credit-hold steps, in English and German, for the step's channel
-- and the other one a step of its kind would use (a letter's text also as
-- an email, a reminder's also as a text message).  As for the installed
-- policy (sql/schema/escalation_policy.sql), seeded is true only while a
-- row is as installed: pg_dump leaves those out, and an edited one is
-- dumped and replaces the installed one on restore.

CREATE TABLE arcollect.message_template (
    -- spelled as policy names: typed into policy steps, matched exactly
    template_name  text COLLATE "C" NOT NULL
                   CONSTRAINT message_template_name_spelling
                   CHECK (template_name ~ '^[a-z][a-z0-9]*(_[a-z0-9]+)*$' AND length(template_name) <= 63),
    -- a language tag, as arcollect.customer.language
    language       text COLLATE "C" NOT NULL
                   CONSTRAINT message_template_language_tag
                   CHECK (language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$'),
    -- the channels of touchpoints and policy steps
    channel        text COLLATE "C" NOT NULL
                   CONSTRAINT message_template_channel_known
                   CHECK (channel IN ('email', 'call', 'sms', 'letter', 'portal', 'meeting')),
    subject        text,
    body           text NOT NULL,
    seeded         boolean NOT NULL DEFAULT false,
    -- NULL for the installed templates, the same in every database
    changed_by     name DEFAULT current_user,
    changed_at     timestamptz DEFAULT pg_catalog.now(),
    -- an email, a letter and a portal message have a subject line; a call
    -- script, a text message and a meeting's agenda have none
    CONSTRAINT message_template_subject_by_channel
        CHECK ((subject IS NULL) = (channel IN ('call', 'sms', 'meeting'))),
    PRIMARY KEY (template_name, language, channel)
) USING heap;

COMMENT ON TABLE arcollect.message_template IS
'The messages the dunning ladder sends: one per template name (as policy steps name them), language and channel, with {{placeholders}} from arcollect.message_placeholder. The customer''s language picks the template, else its primary language, else en (arcollect.render_message). Seeded with the installed ladder''s templates in English and German; admins edit them and add their own.';
COMMENT ON COLUMN arcollect.message_template.template_name IS 'Name of the template, as arcollect.policy_step.template_name gives it: lower-case letters and digits with single underscores between words, at most 63 characters.';
COMMENT ON COLUMN arcollect.message_template.language IS 'Language of the text, as a language tag (en, de, fr-CA, ...), as arcollect.customer.language.';
COMMENT ON COLUMN arcollect.message_template.channel IS 'Channel the text is for: email, call, sms, letter, portal or meeting.';
COMMENT ON COLUMN arcollect.message_template.subject IS 'Subject line, with placeholders; required for email, letter and portal, NULL for call, sms and meeting (which have none).';
COMMENT ON COLUMN arcollect.message_template.body IS 'The text (a call''s script), with placeholders such as {{customer_name}} and {{invoice_list}}.';
COMMENT ON COLUMN arcollect.message_template.seeded IS 'True while the template is the one the extension installed, unedited: pg_dump leaves it out (a restore installs it again). Any edit sets it to false for good, and the template is dumped.';
COMMENT ON COLUMN arcollect.message_template.changed_by IS 'Role that last wrote the template; NULL for the installed ones.';
COMMENT ON COLUMN arcollect.message_template.changed_at IS 'When the template was last written; NULL for the installed ones.';

-- The installed templates (before the trigger of sql/code/ exists, which
-- would make them the user's).  One text per template name and language,
-- installed for each of its channels.
INSERT INTO arcollect.message_template (template_name, language, channel, subject, body, seeded, changed_by, changed_at)
SELECT t.template_name, t.language, c.channel,
       CASE WHEN c.channel NOT IN ('call', 'sms', 'meeting') THEN t.subject END, t.body, true, NULL, NULL
  FROM (VALUES
('pre_due_reminder', 'en', '{email}'::text[],
 'Upcoming payment: {{total_due}} {{currency}} due on {{earliest_due_date}}',
$t$Dear {{customer_name}},

This is a courtesy reminder that the invoices below fall due soon, the first on {{earliest_due_date}}.

Invoice | Due date | Amount
{{invoice_list}}

Total: {{total_due}} {{currency}}

If you have already arranged payment, thank you, and please disregard this message. Should you have any question about these invoices, simply reply to this email.

Kind regards,
{{owner}}$t$),
('pre_due_reminder', 'en', '{sms}',
 NULL,
 $t${{customer_name}}: a reminder that {{total_due}} {{currency}} falls due on {{earliest_due_date}}. Already paid? Thank you. Any question, reply to this message. {{owner}}$t$),
('friendly_reminder', 'en', '{email}',
 'Payment reminder: {{total_overdue}} {{currency}} past due',
$t$Dear {{customer_name}},

Our records show that the invoices below are past due, the oldest by {{oldest_days_overdue}} days. Perhaps this has simply been overlooked.

Invoice | Due date | Open amount
{{invoice_list}}

Overdue total: {{total_overdue}} {{currency}}

We would be grateful if you could arrange payment at your earliest convenience. If your payment is already on its way, thank you, and please disregard this reminder; if something is holding it up, let us know and we will gladly help.

Kind regards,
{{owner}}$t$),
('friendly_reminder', 'en', '{sms}',
 NULL,
 $t${{customer_name}}: our records show {{total_overdue}} {{currency}} past due. If you have paid already, thank you; otherwise please arrange payment or reply with any question. {{owner}}$t$),
('call_script', 'en', '{call}',
 NULL,
$t$Call script: {{customer_name}} (customer {{customer_id}})

1. Introduce yourself ({{owner}}) and ask for the person who looks after paying invoices.
2. Give the reason for the call: {{total_overdue}} {{currency}} is past due, the oldest invoice by {{oldest_days_overdue}} days.
3. If asked, go through the open invoices:
Invoice | Due date | Open amount
{{invoice_list}}
4. Ask whether the invoices were received and whether anything stands in the way of payment (a question, a dispute, a missing purchase order number).
5. Agree on an amount and a date, and record them as a promise to pay; if the customer disputes an invoice, record the dispute and its reason.
6. Thank the customer, repeat what was agreed, and record the outcome of the call.$t$),
('firm_letter', 'en', '{letter,email}',
 'Overdue account: {{total_overdue}} {{currency}}, second request',
$t${{message_date}}

Dear {{customer_name}},

Despite our earlier reminders, the invoices below remain unpaid, the oldest now {{oldest_days_overdue}} days past its due date.

Invoice | Due date | Open amount
{{invoice_list}}

Overdue total: {{total_overdue}} {{currency}}

We ask you to pay this amount within 10 days of the date of this letter. If there is a reason you cannot pay, or you believe an invoice is incorrect, please contact us straight away so that we can settle the matter together.

Yours sincerely,
{{owner}}$t$),
('final_notice', 'en', '{letter,email}',
 'Final notice: {{total_overdue}} {{currency}} overdue',
$t${{message_date}}

Dear {{customer_name}},

We have written to you several times about the overdue invoices below without receiving either payment or an explanation. The oldest is now {{oldest_days_overdue}} days past due.

Invoice | Due date | Open amount
{{invoice_list}}

Overdue total: {{total_overdue}} {{currency}}

This is our final notice. Unless we receive payment in full, or you contact us to agree a payment arrangement, within 7 days of the date of this letter, we will refer the matter for collection without further notice.

Yours sincerely,
{{owner}}$t$),
('agency_referral', 'en', '{letter,email}',
 'Your account has been referred for collection',
$t${{message_date}}

Dear {{customer_name}},

As the invoices below remain unpaid despite our reminders and our final notice, we have referred your account to a collection agency, which will contact you shortly.

Invoice | Due date | Open amount
{{invoice_list}}

Overdue total: {{total_overdue}} {{currency}}

Payments made to us directly will still be credited to your account. Please quote your customer number, {{customer_id}}, in all correspondence.

Yours sincerely,
{{owner}}$t$),
('late_fee_notice', 'en', '{email,letter}',
 'Late payment charges on your overdue invoices',
$t${{message_date}}

Dear {{customer_name}},

The invoices below are past due, the oldest by {{oldest_days_overdue}} days.

Invoice | Due date | Open amount
{{invoice_list}}

Overdue total: {{total_overdue}} {{currency}}

As the law on late payment in commercial transactions allows, we are charging a fixed compensation for recovery costs of {{fee_amount}} {{currency}} and the statutory interest accrued so far, {{interest_amount}} {{currency}}. These charges will be invoiced separately.

Please pay the overdue amount without further delay. If you have any question, do contact us.

Yours sincerely,
{{owner}}$t$),
('credit_hold_notice', 'en', '{email,letter}',
 'Your account is on credit hold',
$t${{message_date}}

Dear {{customer_name}},

Because the invoices below remain overdue, we have placed your account on credit hold: until the overdue amount is paid, we can deliver new orders against payment in advance only.

Invoice | Due date | Open amount
{{invoice_list}}

Overdue total: {{total_overdue}} {{currency}}

The hold is lifted as soon as we receive payment of the overdue amount. If you would like to discuss a payment arrangement, please contact us.

Yours sincerely,
{{owner}}$t$),

('pre_due_reminder', 'de', '{email}',
 'Bald fällig: {{total_due}} {{currency}} zum {{earliest_due_date}}',
$t${{customer_name}}, Kundennummer {{customer_id}}

Sehr geehrte Damen und Herren,

wir möchten Sie freundlich daran erinnern, dass die unten aufgeführten Rechnungen in Kürze fällig werden, die erste am {{earliest_due_date}}.

Rechnung | Fällig am | Betrag
{{invoice_list}}

Gesamtbetrag: {{total_due}} {{currency}}

Falls Sie die Zahlung bereits veranlasst haben, danken wir Ihnen; betrachten Sie diese Nachricht dann bitte als gegenstandslos. Bei Fragen zu den Rechnungen antworten Sie einfach auf diese E-Mail.

Mit freundlichen Grüßen
{{owner}}$t$),
('pre_due_reminder', 'de', '{sms}',
 NULL,
 $t${{customer_name}}: Zur Erinnerung, am {{earliest_due_date}} werden {{total_due}} {{currency}} fällig. Bereits bezahlt? Vielen Dank. Bei Fragen antworten Sie auf diese Nachricht. {{owner}}$t$),
('friendly_reminder', 'de', '{email}',
 'Zahlungserinnerung: {{total_overdue}} {{currency}} überfällig',
$t${{customer_name}}, Kundennummer {{customer_id}}

Sehr geehrte Damen und Herren,

laut unserer Buchhaltung sind die unten aufgeführten Rechnungen fällig, die älteste seit {{oldest_days_overdue}} Tagen. Vielleicht ist Ihnen die Zahlung im Tagesgeschäft entgangen.

Rechnung | Fällig am | Offener Betrag
{{invoice_list}}

Überfällig insgesamt: {{total_overdue}} {{currency}}

Wir bitten Sie, den Betrag zeitnah zu überweisen. Sollte sich Ihre Zahlung mit dieser Erinnerung überschnitten haben, danken wir Ihnen und bitten Sie, sie als gegenstandslos zu betrachten. Falls etwas der Zahlung im Wege steht, sprechen Sie uns bitte an; wir helfen gern.

Mit freundlichen Grüßen
{{owner}}$t$),
('friendly_reminder', 'de', '{sms}',
 NULL,
 $t${{customer_name}}: Laut unserer Buchhaltung sind {{total_overdue}} {{currency}} überfällig. Bereits bezahlt? Vielen Dank. Andernfalls bitten wir um Zahlung oder Ihre Rückmeldung. {{owner}}$t$),
('call_script', 'de', '{call}',
 NULL,
$t$Gesprächsleitfaden: {{customer_name}} (Kundennummer {{customer_id}})

1. Stellen Sie sich vor ({{owner}}) und fragen Sie nach der Person, die die Rechnungen bezahlt.
2. Nennen Sie den Anlass des Anrufs: {{total_overdue}} {{currency}} sind überfällig, die älteste Rechnung seit {{oldest_days_overdue}} Tagen.
3. Gehen Sie auf Wunsch die offenen Rechnungen durch:
Rechnung | Fällig am | Offener Betrag
{{invoice_list}}
4. Fragen Sie, ob die Rechnungen angekommen sind und ob etwas der Zahlung im Wege steht (eine Rückfrage, eine Reklamation, eine fehlende Bestellnummer).
5. Vereinbaren Sie Betrag und Termin und erfassen Sie beides als Zahlungszusage; bestreitet der Kunde eine Rechnung, erfassen Sie die Reklamation mit ihrem Grund.
6. Bedanken Sie sich, wiederholen Sie das Vereinbarte und erfassen Sie das Ergebnis des Gesprächs.$t$),
('firm_letter', 'de', '{letter,email}',
 'Zweite Mahnung: {{total_overdue}} {{currency}} überfällig',
$t${{message_date}}

{{customer_name}}, Kundennummer {{customer_id}}

Sehr geehrte Damen und Herren,

trotz unserer bisherigen Erinnerungen sind die unten aufgeführten Rechnungen noch nicht beglichen; die älteste ist seit {{oldest_days_overdue}} Tagen fällig.

Rechnung | Fällig am | Offener Betrag
{{invoice_list}}

Überfällig insgesamt: {{total_overdue}} {{currency}}

Wir bitten Sie, diesen Betrag innerhalb von 10 Tagen nach dem Datum dieses Schreibens zu zahlen. Sollten Sie nicht zahlen können oder eine Rechnung für fehlerhaft halten, setzen Sie sich bitte umgehend mit uns in Verbindung, damit wir die Angelegenheit gemeinsam klären können.

Mit freundlichen Grüßen
{{owner}}$t$),
('final_notice', 'de', '{letter,email}',
 'Letzte Mahnung: {{total_overdue}} {{currency}} überfällig',
$t${{message_date}}

{{customer_name}}, Kundennummer {{customer_id}}

Sehr geehrte Damen und Herren,

wir haben Sie bereits mehrfach auf die unten aufgeführten überfälligen Rechnungen hingewiesen, ohne eine Zahlung oder eine Nachricht von Ihnen zu erhalten. Die älteste ist seit {{oldest_days_overdue}} Tagen fällig.

Rechnung | Fällig am | Offener Betrag
{{invoice_list}}

Überfällig insgesamt: {{total_overdue}} {{currency}}

Dies ist unsere letzte Mahnung. Erhalten wir nicht innerhalb von 7 Tagen nach dem Datum dieses Schreibens die vollständige Zahlung oder Ihre Nachricht, um eine Zahlungsvereinbarung zu treffen, übergeben wir die Forderung ohne weitere Ankündigung einem Inkassounternehmen.

Mit freundlichen Grüßen
{{owner}}$t$),
('agency_referral', 'de', '{letter,email}',
 'Übergabe Ihrer Forderung an ein Inkassounternehmen',
$t${{message_date}}

{{customer_name}}, Kundennummer {{customer_id}}

Sehr geehrte Damen und Herren,

da die unten aufgeführten Rechnungen trotz unserer Erinnerungen und unserer letzten Mahnung unbezahlt geblieben sind, haben wir die Forderung einem Inkassounternehmen übergeben, das sich in Kürze mit Ihnen in Verbindung setzen wird.

Rechnung | Fällig am | Offener Betrag
{{invoice_list}}

Überfällig insgesamt: {{total_overdue}} {{currency}}

Zahlungen, die Sie direkt an uns leisten, schreiben wir Ihrem Konto weiterhin gut. Bitte geben Sie in allen Schreiben Ihre Kundennummer {{customer_id}} an.

Mit freundlichen Grüßen
{{owner}}$t$),
('late_fee_notice', 'de', '{email,letter}',
 'Verzugskosten für Ihre überfälligen Rechnungen',
$t${{message_date}}

{{customer_name}}, Kundennummer {{customer_id}}

Sehr geehrte Damen und Herren,

die unten aufgeführten Rechnungen sind überfällig, die älteste seit {{oldest_days_overdue}} Tagen.

Rechnung | Fällig am | Offener Betrag
{{invoice_list}}

Überfällig insgesamt: {{total_overdue}} {{currency}}

Nach den gesetzlichen Regeln zum Zahlungsverzug im Geschäftsverkehr berechnen wir Ihnen eine Pauschale für Beitreibungskosten von {{fee_amount}} {{currency}} sowie die bisher angefallenen Verzugszinsen von {{interest_amount}} {{currency}}. Diese Beträge stellen wir Ihnen gesondert in Rechnung.

Bitte begleichen Sie den überfälligen Betrag nun ohne weitere Verzögerung. Bei Fragen stehen wir Ihnen gern zur Verfügung.

Mit freundlichen Grüßen
{{owner}}$t$),
('credit_hold_notice', 'de', '{email,letter}',
 'Liefersperre für Ihr Kundenkonto',
$t${{message_date}}

{{customer_name}}, Kundennummer {{customer_id}}

Sehr geehrte Damen und Herren,

da die unten aufgeführten Rechnungen weiterhin überfällig sind, haben wir Ihr Kundenkonto gesperrt: Bis der überfällige Betrag beglichen ist, liefern wir neue Bestellungen nur gegen Vorauskasse.

Rechnung | Fällig am | Offener Betrag
{{invoice_list}}

Überfällig insgesamt: {{total_overdue}} {{currency}}

Wir heben die Sperre auf, sobald Ihre Zahlung des überfälligen Betrags bei uns eingegangen ist. Wenn Sie eine Zahlungsvereinbarung besprechen möchten, sprechen Sie uns bitte an.

Mit freundlichen Grüßen
{{owner}}$t$)
       ) t(template_name, language, channels, subject, body)
 CROSS JOIN LATERAL pg_catalog.unnest(t.channels) c(channel);

-- Seeded templates are made by every install, so they are not dumped (a
-- restore would make them twice); edited and users' templates are.
SELECT pg_catalog.pg_extension_config_dump('arcollect.message_template', 'WHERE NOT seeded');

-- One message of a touchpoint to render, with the values it states
-- (arcollect.touchpoint_messages): a touchpoint stored
-- (arcollect.render_touchpoints reads them from it) or one the escalation
-- run is about to write, rendered before it is written.
CREATE TYPE arcollect.touchpoint_message AS (
    customer_id    text,
    customer_name  text,
    -- the collector the message names: the touchpoint's, else the customer's
    owner          text,
    currency       text,
    -- the customer's language
    language       text,
    channel        text,
    template_name  text,
    message_date   date,
    -- the invoices listed: [{"invoice_key": ..., "open_amount": ..., "due_on": ...}]
    invoices       jsonb,
    compensation   numeric,
    interest       numeric
);

COMMENT ON TYPE arcollect.touchpoint_message IS
'A touchpoint''s message to render with arcollect.touchpoint_messages: the customer, the collector named, the currency, language, channel and template, the date, the invoices listed (a JSON array of objects with invoice_key, open_amount and due_on) and the late fees claimed with it.';
