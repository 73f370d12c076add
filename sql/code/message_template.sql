-- Message templates (table in sql/schema/message_template.sql): the
-- placeholders a template may use, how a template's text splits into
-- text and placeholders, the rules a template is held to when written,
-- and rendering, from given values or from a touchpoint.
--
-- A placeholder is a name between double braces, {{customer_name}}, and
-- the names are those arcollect.message_placeholder lists: the one list
-- that the check of a template and rendering read.  A template's text
-- holds no other {{ or }}; single braces are text.  The check runs when a
-- template is written (a trigger), so a template that would render with
-- a placeholder left, or a stray brace, never reaches a customer.
-- Rendering a value missing for a placeholder the template uses is an
-- error too, for the same reason: nothing goes out half filled.

CREATE OR REPLACE VIEW arcollect.message_placeholder (placeholder, meaning) AS
VALUES ('customer_name', 'The customer''s display name (arcollect.customer.name), else its identifier.'),
       ('customer_id', 'The customer identifier.'),
       ('owner', 'The collector responsible: the touchpoint''s owner, else the customer''s.'),
       ('currency', 'The currency the message is about, as an ISO 4217 code (EUR).'),
       ('total_due', 'Total open amount of the invoices the message lists, due or not.'),
       ('total_overdue', 'Total open amount of the invoices listed that are past due on the message date.'),
       ('oldest_days_overdue', 'Days the oldest invoice listed is past due on the message date; 0 when none is.'),
       ('earliest_due_date', 'Earliest due date of the invoices listed, as YYYY-MM-DD.'),
       ('invoice_list', 'The invoices listed, one line each, in due-date order: invoice key | due date (YYYY-MM-DD) | open amount and currency.'),
       ('fee_amount', 'Late-payment compensation claimed with the message (arcollect.late_fee_claim); 0 when none is.'),
       ('interest_amount', 'Late-payment interest claimed with the message (arcollect.late_fee_claim); 0 when none is.'),
       ('message_date', 'Date of the message, as YYYY-MM-DD, in the customer''s time zone.');

COMMENT ON VIEW arcollect.message_placeholder IS
'The placeholders a message template may use, as {{placeholder}}, and what each is replaced with. A template using any other is refused.';
COMMENT ON COLUMN arcollect.message_placeholder.placeholder IS 'Name of the placeholder, written {{name}} in a template.';
COMMENT ON COLUMN arcollect.message_placeholder.meaning IS 'What it is replaced with when a message is rendered; amounts are written as arcollect.format_money writes them, in the template''s language.';
-- Not data, as arcollect.touchpoint_choice.
GRANT SELECT ON arcollect.message_placeholder TO PUBLIC;

-- A template's text, split: each piece of plain text (literal), in order,
-- with the name between the braces of the placeholder that follows it
-- (NULL after the last piece).  The check and the rendering both read
-- this, so they agree on what a placeholder is.
CREATE OR REPLACE FUNCTION arcollect.message_parts(message text)
RETURNS TABLE (part_no bigint, literal text, placeholder text)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT l.n, l.piece, m.found[1]
      FROM pg_catalog.regexp_split_to_table(message_parts.message, '\{\{([^{}]*)\}\}') WITH ORDINALITY l(piece, n)
      LEFT JOIN pg_catalog.regexp_matches(message_parts.message, '\{\{([^{}]*)\}\}', 'g') WITH ORDINALITY m(found, n)
        ON m.n = l.n
     ORDER BY l.n;
END;

COMMENT ON FUNCTION arcollect.message_parts(text) IS
'A message template''s text split into its pieces of plain text, in order (part_no), each with the name between the double braces of the placeholder after it (NULL after the last): message_parts(''Dear {{customer_name}},'') is (1, ''Dear '', ''customer_name''), (2, '','', NULL).';

-- BEFORE INSERT OR UPDATE trigger of arcollect.message_template: the
-- placeholders, and the installed templates becoming the user's.  A
-- user's INSERT of the key of an installed, unedited template replaces it
-- (a restore, whose install made the installed one again: pg_dump keeps
-- the edited row only); an UPDATE makes it the user's (seeded false, for
-- good) and records who changed it.  Users never write seeded rows.
CREATE OR REPLACE FUNCTION arcollect._message_template_edit()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    part record;
BEGIN
    FOR part IN SELECT 'subject' AS field, p.literal, p.placeholder
                  FROM arcollect.message_parts(NEW.subject) p
                UNION ALL
                SELECT 'body', p.literal, p.placeholder
                  FROM arcollect.message_parts(NEW.body) p
    LOOP
        IF part.literal ~ '\{\{|\}\}' THEN
            RAISE EXCEPTION 'message template "%" (%, %) has unmatched braces in its % near "%"',
                            NEW.template_name, NEW.language, NEW.channel, part.field,
                            pg_catalog.substring(part.literal, '.{0,12}(?:\{\{|\}\}).{0,20}')
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'A placeholder is a name between {{ and }}, {{customer_name}}; a template holds no other {{ or }}.',
                      HINT = 'Close the placeholder, or write the braces apart.';
        ELSIF part.placeholder IS NOT NULL
              AND NOT EXISTS (SELECT FROM arcollect.message_placeholder k WHERE k.placeholder = part.placeholder) THEN
            RAISE EXCEPTION 'message template "%" (%, %) has an unknown placeholder "{{%}}" in its %',
                            NEW.template_name, NEW.language, NEW.channel, part.placeholder, part.field
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = format('The placeholders are: %s.',
                                      (SELECT pg_catalog.string_agg('{{' || k.placeholder || '}}', ', ')
                                         FROM arcollect.message_placeholder k)),
                      HINT = 'Use one of those, spelled as listed (arcollect.message_placeholder).';
        END IF;
    END LOOP;
    NEW.seeded := false;
    IF TG_OP = 'UPDATE' THEN
        NEW.changed_by := current_user;
        NEW.changed_at := pg_catalog.now();
    ELSE
        DELETE FROM arcollect.message_template t
         WHERE t.template_name = NEW.template_name AND t.language = NEW.language
           AND t.channel = NEW.channel AND t.seeded;
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION arcollect._message_template_edit() IS
'BEFORE trigger of arcollect.message_template: refuses a template with an unknown placeholder or a stray brace (SQLSTATE 22023), makes every row written the user''s (seeded false), and lets a user''s template replace the installed one of the same key (a restore).';

CREATE OR REPLACE TRIGGER message_template_edit
    BEFORE INSERT OR UPDATE ON arcollect.message_template
    FOR EACH ROW EXECUTE FUNCTION arcollect._message_template_edit();

-- Which language's template a message in language is written from: the
-- language itself, else its primary subtag (de for de-AT), else en.  The
-- one statement of the fallback, which render_message and the formatting
-- of render_touchpoint's amounts follow.  NULL when there is none.
CREATE OR REPLACE FUNCTION arcollect.message_template_language(template_name text, language text, channel text)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT t.language
      FROM arcollect.message_template t
     WHERE t.template_name = message_template_language.template_name
       AND t.channel = message_template_language.channel
       AND t.language IN (message_template_language.language,
                          pg_catalog.split_part(message_template_language.language, '-', 1), 'en')
     ORDER BY t.language = message_template_language.language DESC, t.language <> 'en' DESC
     LIMIT 1;
END;

COMMENT ON FUNCTION arcollect.message_template_language(text, text, text) IS
'The language of the template a message in language is rendered from: language if the template exists in it for the channel, else its primary subtag (de for de-AT), else en; NULL when the template is in none of them.';

-- The message: the template for the language (with its fallback) and the
-- channel, each placeholder replaced by its value in vals (text as given:
-- amounts and dates are written by the caller).  vals names placeholders
-- only; a value missing for a placeholder the template uses is an error,
-- a value the template does not use is left aside.
CREATE OR REPLACE FUNCTION arcollect.render_message(template_name text, language text, channel text, vals jsonb)
RETURNS TABLE (subject text, body text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    tpl record;
    bad text;
BEGIN
    IF vals IS NULL OR pg_catalog.jsonb_typeof(vals) <> 'object' THEN
        RAISE EXCEPTION 'vals must be a JSON object, not %', coalesce(pg_catalog.jsonb_typeof(vals), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give the placeholders'' values as an object: {"customer_name": "Dune GmbH", ...}.';
    END IF;
    SELECT pg_catalog.min(k) INTO bad
      FROM pg_catalog.jsonb_object_keys(vals) k
     WHERE NOT EXISTS (SELECT FROM arcollect.message_placeholder p WHERE p.placeholder = k);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'unknown placeholder "%" in vals', bad
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('The placeholders are: %s.',
                                  (SELECT pg_catalog.string_agg(p.placeholder, ', ') FROM arcollect.message_placeholder p)),
                  HINT = 'Name the placeholders as arcollect.message_placeholder lists them.';
    END IF;
    SELECT t.template_name, t.language, t.subject, t.body INTO tpl
      FROM arcollect.message_template t
     WHERE t.template_name = render_message.template_name AND t.channel = render_message.channel
       AND t.language = arcollect.message_template_language(render_message.template_name,
                                                            render_message.language, render_message.channel);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no message template "%" for channel % in language %', template_name, channel,
                        CASE WHEN language = 'en' THEN 'en'
                             WHEN pg_catalog.split_part(language, '-', 1) IN (language, 'en') THEN language || ' or en'
                             ELSE language || ', ' || pg_catalog.split_part(language, '-', 1) || ' or en' END
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = coalesce((SELECT format('Template "%s" exists for: %s.', render_message.template_name,
                                                   pg_catalog.string_agg(t.language || ' ' || t.channel, ', '
                                                                         ORDER BY t.language, t.channel))
                                       FROM arcollect.message_template t
                                      WHERE t.template_name = render_message.template_name
                                     HAVING pg_catalog.count(*) > 0),
                                    format('No template is named "%s".', template_name)),
                  HINT = 'Insert the template into arcollect.message_template, in en at least.';
    END IF;
    SELECT p.placeholder INTO bad
      FROM (SELECT 1 AS field, s.part_no, s.placeholder FROM arcollect.message_parts(tpl.subject) s
            UNION ALL
            SELECT 2, b.part_no, b.placeholder FROM arcollect.message_parts(tpl.body) b) p
     WHERE p.placeholder IS NOT NULL AND vals ->> p.placeholder IS NULL
     ORDER BY p.field, p.part_no
     LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'no value for placeholder "{{%}}" of message template "%" (%, %)',
                        bad, tpl.template_name, tpl.language, channel
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A message is never sent with a placeholder left empty.',
                  HINT = format('Give "%s" in vals (arcollect.message_placeholder says what it is).', bad);
    END IF;
    RETURN QUERY
    SELECT (SELECT pg_catalog.string_agg(s.literal || coalesce(vals ->> s.placeholder, ''), '' ORDER BY s.part_no)
              FROM arcollect.message_parts(tpl.subject) s),
           (SELECT pg_catalog.string_agg(b.literal || coalesce(vals ->> b.placeholder, ''), '' ORDER BY b.part_no)
              FROM arcollect.message_parts(tpl.body) b);
END
$fn$;

COMMENT ON FUNCTION arcollect.render_message(text, text, text, jsonb) IS
'The subject and body of message template template_name for channel, in language (else its primary subtag, else en), with each {{placeholder}} replaced by its value in vals, a JSON object (text as given). A value missing for a placeholder the template uses, a key that is no placeholder, or no such template is an error (SQLSTATE 22023). The subject is NULL for call, sms and meeting.';

-- The message of a touchpoint the dunning ladder planned: its step's
-- template, in its customer's language, on its channel, with the values
-- of the touchpoint as recorded: the invoices it listed at the open
-- amounts they had then, the late-fee claims made with it, its owner
-- (else the customer's), and its date (done, else planned, else created)
-- in the customer's time zone.  The currency is the touchpoint's, else
-- the one of the invoices it lists.  Amounts are written in the
-- template's language (arcollect.format_money), dates as YYYY-MM-DD.
-- Values that are NULL (no owner anywhere) are left out, so that a
-- template using them is refused by render_message, not sent with a gap.
CREATE OR REPLACE FUNCTION arcollect.render_touchpoint(touchpoint_id bigint)
RETURNS TABLE (subject text, body text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    tp record;
    listed record;
    cur text;
    lang text;
    fees record;
BEGIN
    SELECT t.touchpoint_id, t.customer_id, t.channel, t.currency, t.owner, t.policy_name, t.step_no,
           s.template_name, c.name, c.owner AS customer_owner, coalesce(c.language, 'en') AS language,
           (coalesce(t.done_at, t.planned_for, t.created_at) AT TIME ZONE coalesce(c.time_zone, 'UTC'))::date
               AS message_date
      INTO tp
      FROM arcollect.touchpoint t
      LEFT JOIN arcollect.policy_step s ON s.policy_name = t.policy_name AND s.step_no = t.step_no
      LEFT JOIN arcollect.customer c ON c.customer_id = t.customer_id
     WHERE t.touchpoint_id = render_touchpoint.touchpoint_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'touchpoint % does not exist', touchpoint_id
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'See arcollect.touchpoints for the touchpoints.';
    ELSIF tp.template_name IS NULL THEN
        RAISE EXCEPTION 'touchpoint % has no policy step to take a message template from', touchpoint_id
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = CASE WHEN tp.policy_name IS NULL THEN 'It was not planned by an escalation policy.'
                                ELSE format('Step %s of policy "%s" does not exist (any more).', tp.step_no, tp.policy_name) END,
                  HINT = 'Render a template by name with arcollect.render_message.';
    END IF;

    SELECT pg_catalog.min(i.currency) AS currency, pg_catalog.count(DISTINCT i.currency) AS currencies
      INTO listed
      FROM arcollect.touchpoint_invoice ti
      JOIN arcollect.invoice i ON i.attachment_id = ti.attachment_id AND i.invoice_key = ti.invoice_key
     WHERE ti.touchpoint_id = tp.touchpoint_id;
    cur := coalesce(tp.currency, listed.currency);
    IF cur IS NULL OR (tp.currency IS NULL AND listed.currencies > 1) THEN
        RAISE EXCEPTION 'touchpoint % is about no one currency', touchpoint_id
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('It names no currency and lists invoices in %s currencies.', listed.currencies),
                  HINT = 'Set the touchpoint''s currency, or list invoices of one currency.';
    END IF;
    lang := coalesce(arcollect.message_template_language(tp.template_name, tp.language, tp.channel), tp.language);

    SELECT coalesce(pg_catalog.sum(f.compensation), 0) AS compensation,
           coalesce(pg_catalog.sum(f.interest), 0) AS interest
      INTO fees
      FROM arcollect.late_fee_claim f
     WHERE f.touchpoint_id = tp.touchpoint_id AND f.currency = cur;

    RETURN QUERY
    SELECT m.subject, m.body
      FROM (SELECT pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                'customer_name', coalesce(tp.name, tp.customer_id),
                'customer_id', tp.customer_id,
                'owner', coalesce(tp.owner, tp.customer_owner),
                'currency', cur,
                'total_due', arcollect.format_money(coalesce(pg_catalog.sum(l.open_amount), 0), cur, lang),
                'total_overdue', arcollect.format_money(coalesce(pg_catalog.sum(l.open_amount)
                                                                     FILTER (WHERE l.due_on < tp.message_date), 0),
                                                        cur, lang),
                'oldest_days_overdue', coalesce(pg_catalog.max(tp.message_date - l.due_on)
                                                    FILTER (WHERE l.due_on < tp.message_date), 0),
                'earliest_due_date', pg_catalog.to_char(pg_catalog.min(l.due_on), 'YYYY-MM-DD'),
                'invoice_list', pg_catalog.string_agg(
                                    format('%s | %s | %s %s', l.invoice_key,
                                           coalesce(pg_catalog.to_char(l.due_on, 'YYYY-MM-DD'), '?'),
                                           arcollect.format_money(l.open_amount, cur, lang), cur),
                                    E'\n' ORDER BY l.due_on, l.invoice_key),
                'fee_amount', arcollect.format_money(fees.compensation, cur, lang),
                'interest_amount', arcollect.format_money(fees.interest, cur, lang),
                'message_date', pg_catalog.to_char(tp.message_date, 'YYYY-MM-DD'))) AS vals
              FROM (SELECT ti.invoice_key, ti.open_amount, i.due_on
                      FROM arcollect.touchpoint_invoice ti
                      LEFT JOIN arcollect.invoice i
                        ON i.attachment_id = ti.attachment_id AND i.invoice_key = ti.invoice_key
                     WHERE ti.touchpoint_id = tp.touchpoint_id) l) v,
           arcollect.render_message(tp.template_name, tp.language, tp.channel, v.vals) m;
END
$fn$;

COMMENT ON FUNCTION arcollect.render_touchpoint(bigint) IS
'The subject and body of a touchpoint''s message as arcollect.render_message renders it: the template of the touchpoint''s policy step, in the customer''s language, on the touchpoint''s channel, with the values it recorded (the invoices it listed at their open amounts then, the late-fee claims made with it, its owner else the customer''s, its date in the customer''s time zone). A touchpoint with no policy step, or about no one currency, is an error (SQLSTATE 22023).';

REVOKE ALL ON arcollect.message_template FROM PUBLIC;
