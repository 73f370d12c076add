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

-- The messages: for each request, the template for the language (with
-- its fallback) and the channel, each placeholder replaced by its value
-- in vals (text as given: amounts and dates are written by the caller).
-- vals names placeholders only; a value missing for a placeholder the
-- template uses is an error, a value the template does not use is left
-- aside.  arcollect.render_messages renders many at once, each template
-- split once however many messages use it, and says what stops a
-- message (problem: vals, unknown_placeholder, template, missing_value;
-- error: the message of the error arcollect.render_message raises for
-- it) instead of raising; arcollect.render_message is it for one, and
-- raises.
CREATE OR REPLACE FUNCTION arcollect.render_messages(template_names text[], languages text[], channels text[],
                                                     vals jsonb[])
RETURNS TABLE (request_no integer, subject text, body text, error text, problem text, problem_value text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
-- planned for the arrays given (their lengths are the row counts the
-- planner sees)
SET plan_cache_mode = force_custom_plan
SET jit = off
AS $fn$
BEGIN
    RETURN QUERY
    WITH req AS MATERIALIZED (
        SELECT r.n::integer AS n, r.template_name, r.language, r.channel, r.vals,
               CASE WHEN r.vals IS NULL OR pg_catalog.jsonb_typeof(r.vals) <> 'object'
                    THEN coalesce(pg_catalog.jsonb_typeof(r.vals), 'NULL') END AS bad_vals
          FROM unnest(template_names, languages, channels, vals) WITH ORDINALITY r(template_name, language, channel, vals, n)),
    unknown AS (
        SELECT q.n, pg_catalog.min(k.key) AS key
          FROM req q
         CROSS JOIN LATERAL pg_catalog.jsonb_object_keys(CASE WHEN q.bad_vals IS NULL THEN q.vals ELSE '{}' END) k(key)
         WHERE NOT EXISTS (SELECT FROM arcollect.message_placeholder p WHERE p.placeholder = k.key)
         GROUP BY q.n),
    -- each template asked for, once
    keys AS MATERIALIZED (
        SELECT k.template_name, k.language, k.channel, t.language AS template_language,
               t.subject AS template_subject, t.body AS template_body,
               pg_catalog.row_number() OVER () AS key_id
          FROM (SELECT DISTINCT q.template_name, q.language, q.channel FROM req q) k
          LEFT JOIN arcollect.message_template t
                 ON t.template_name = k.template_name AND t.channel = k.channel
                AND t.language = arcollect.message_template_language(k.template_name, k.language, k.channel)),
    req_key AS MATERIALIZED (
        SELECT q.n, k.key_id, k.template_language
          FROM req q
          JOIN keys k ON k.template_name IS NOT DISTINCT FROM q.template_name
                     AND k.language IS NOT DISTINCT FROM q.language AND k.channel IS NOT DISTINCT FROM q.channel),
    parts AS MATERIALIZED (
        SELECT k.key_id, 1 AS field, p.part_no, p.literal, p.placeholder
          FROM keys k CROSS JOIN LATERAL arcollect.message_parts(k.template_subject) p
        UNION ALL
        SELECT k.key_id, 2, p.part_no, p.literal, p.placeholder
          FROM keys k CROSS JOIN LATERAL arcollect.message_parts(k.template_body) p),
    filled AS MATERIALIZED (
        SELECT q.n, p.field, p.part_no, p.literal, p.placeholder, q.vals ->> p.placeholder AS value
          FROM req q
          JOIN req_key rk ON rk.n = q.n
          JOIN parts p ON p.key_id = rk.key_id
         WHERE q.bad_vals IS NULL),
    missing AS (
        SELECT DISTINCT ON (f.n) f.n, f.placeholder
          FROM filled f
         WHERE f.placeholder IS NOT NULL AND f.value IS NULL
         ORDER BY f.n, f.field, f.part_no),
    rendered AS (
        SELECT f.n,
               pg_catalog.string_agg(f.literal || coalesce(f.value, ''), '' ORDER BY f.part_no) FILTER (WHERE f.field = 1)
                   AS subject,
               pg_catalog.string_agg(f.literal || coalesce(f.value, ''), '' ORDER BY f.part_no) FILTER (WHERE f.field = 2)
                   AS body
          FROM filled f
         GROUP BY f.n)
    SELECT q.n, CASE WHEN w.problem IS NULL THEN r.subject END, CASE WHEN w.problem IS NULL THEN r.body END,
           CASE w.problem
                WHEN 'vals' THEN format('vals must be a JSON object, not %s', q.bad_vals)
                WHEN 'unknown_placeholder' THEN format('unknown placeholder "%s" in vals', u.key)
                WHEN 'template' THEN
                    format('no message template "%s" for channel %s in language %s',
                           coalesce(q.template_name, '<NULL>'), coalesce(q.channel, '<NULL>'),
                           coalesce(CASE WHEN q.language = 'en' THEN 'en'
                                         WHEN pg_catalog.split_part(q.language, '-', 1) IN (q.language, 'en')
                                         THEN q.language || ' or en'
                                         ELSE q.language || ', ' || pg_catalog.split_part(q.language, '-', 1) || ' or en'
                                    END, '<NULL>'))
                WHEN 'missing_value' THEN
                    format('no value for placeholder "{{%s}}" of message template "%s" (%s, %s)',
                           m.placeholder, q.template_name, rk.template_language, coalesce(q.channel, '<NULL>'))
           END,
           w.problem,
           CASE w.problem WHEN 'unknown_placeholder' THEN u.key WHEN 'missing_value' THEN m.placeholder END
      FROM req q
      LEFT JOIN unknown u ON u.n = q.n
      LEFT JOIN req_key rk ON rk.n = q.n
      LEFT JOIN missing m ON m.n = q.n
      LEFT JOIN rendered r ON r.n = q.n
     CROSS JOIN LATERAL (
          SELECT CASE WHEN q.bad_vals IS NOT NULL THEN 'vals'
                      WHEN u.key IS NOT NULL THEN 'unknown_placeholder'
                      WHEN rk.template_language IS NULL THEN 'template'
                      WHEN m.placeholder IS NOT NULL THEN 'missing_value' END AS problem) w
     ORDER BY q.n;
END
$fn$;

COMMENT ON FUNCTION arcollect.render_messages(text[], text[], text[], jsonb[]) IS
'arcollect.render_message for many messages at once: request i is (template_names[i], languages[i], channels[i], vals[i]), answered in the row with request_no i with its subject and body, or, when it cannot be rendered, NULL ones, the error render_message would raise (error), its kind (problem: vals, unknown_placeholder, template or missing_value) and the placeholder it is about (problem_value).';

CREATE OR REPLACE FUNCTION arcollect.render_message(template_name text, language text, channel text, vals jsonb)
RETURNS TABLE (subject text, body text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    r record;
BEGIN
    SELECT * INTO r
      FROM arcollect.render_messages(ARRAY[template_name], ARRAY[language], ARRAY[channel], ARRAY[vals]) m;
    IF r.problem = 'vals' THEN
        RAISE EXCEPTION '%', r.error
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give the placeholders'' values as an object: {"customer_name": "Dune GmbH", ...}.';
    ELSIF r.problem = 'unknown_placeholder' THEN
        RAISE EXCEPTION '%', r.error
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('The placeholders are: %s.',
                                  (SELECT pg_catalog.string_agg(p.placeholder, ', ') FROM arcollect.message_placeholder p)),
                  HINT = 'Name the placeholders as arcollect.message_placeholder lists them.';
    ELSIF r.problem = 'template' THEN
        RAISE EXCEPTION '%', r.error
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = coalesce((SELECT format('Template "%s" exists for: %s.', render_message.template_name,
                                                   pg_catalog.string_agg(t.language || ' ' || t.channel, ', '
                                                                         ORDER BY t.language, t.channel))
                                       FROM arcollect.message_template t
                                      WHERE t.template_name = render_message.template_name
                                     HAVING pg_catalog.count(*) > 0),
                                    format('No template is named "%s".', template_name)),
                  HINT = 'Insert the template into arcollect.message_template, in en at least.';
    ELSIF r.problem = 'missing_value' THEN
        RAISE EXCEPTION '%', r.error
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A message is never sent with a placeholder left empty.',
                  HINT = format('Give "%s" in vals (arcollect.message_placeholder says what it is).', r.problem_value);
    END IF;
    RETURN QUERY SELECT r.subject, r.body;
END
$fn$;

COMMENT ON FUNCTION arcollect.render_message(text, text, text, jsonb) IS
'The subject and body of message template template_name for channel, in language (else its primary subtag, else en), with each {{placeholder}} replaced by its value in vals, a JSON object (text as given). A value missing for a placeholder the template uses, a key that is no placeholder, or no such template is an error (SQLSTATE 22023). The subject is NULL for call, sms and meeting.';

-- The messages of touchpoints, from the values they state
-- (arcollect.touchpoint_message): the template, in the customer's
-- language, on the channel, with the invoices listed (at the open amounts
-- given), the late fees claimed, the collector named and the date.  The
-- amounts are written in the template's language (arcollect.format_money),
-- dates as YYYY-MM-DD.  Values that are NULL (no owner) are left out, so
-- that a template using them is refused, not sent with a gap.  As
-- arcollect.render_messages, which renders them, one row per touchpoint
-- (request_no: its position), a problem instead of an error, and the
-- values the message was rendered with (vals).
CREATE OR REPLACE FUNCTION arcollect.touchpoint_messages(touchpoints arcollect.touchpoint_message[])
RETURNS TABLE (request_no integer, subject text, body text, error text, problem text, problem_value text,
               vals jsonb)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
SET jit = off
AS $fn$
BEGIN
    RETURN QUERY
    WITH tp AS MATERIALIZED (
        SELECT x.ordinality::integer AS n, x.*
          FROM unnest(touchpoints) WITH ORDINALITY x),
    -- the language the amounts are written in: the template's, once per template asked for
    keys AS MATERIALIZED (
        SELECT k.template_name, k.language, k.channel,
               coalesce(arcollect.message_template_language(k.template_name, k.language, k.channel), k.language) AS lang
          FROM (SELECT DISTINCT t.template_name, t.language, t.channel FROM tp t) k),
    v AS MATERIALIZED (
        SELECT t.n, t.template_name, t.language, t.channel, x.vals
          FROM tp t
          LEFT JOIN keys k ON k.template_name IS NOT DISTINCT FROM t.template_name
                          AND k.language IS NOT DISTINCT FROM t.language AND k.channel IS NOT DISTINCT FROM t.channel
         CROSS JOIN LATERAL (
              SELECT pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                         'customer_name', coalesce(t.customer_name, t.customer_id),
                         'customer_id', t.customer_id,
                         'owner', t.owner,
                         'currency', t.currency,
                         'total_due', arcollect.format_money(coalesce(pg_catalog.sum(l.open_amount), 0), t.currency, k.lang),
                         'total_overdue', arcollect.format_money(coalesce(pg_catalog.sum(l.open_amount)
                                                                              FILTER (WHERE l.due_on < t.message_date), 0),
                                                                 t.currency, k.lang),
                         'oldest_days_overdue', coalesce(pg_catalog.max(t.message_date - l.due_on)
                                                             FILTER (WHERE l.due_on < t.message_date), 0),
                         'earliest_due_date', pg_catalog.to_char(pg_catalog.min(l.due_on), 'YYYY-MM-DD'),
                         'invoice_list', pg_catalog.string_agg(
                                             format('%s | %s | %s %s', l.invoice_key,
                                                    coalesce(pg_catalog.to_char(l.due_on, 'YYYY-MM-DD'), '?'),
                                                    arcollect.format_money(l.open_amount, t.currency, k.lang), t.currency),
                                             E'\n' ORDER BY l.due_on, l.invoice_key COLLATE "C"),
                         'fee_amount', arcollect.format_money(coalesce(t.compensation, 0), t.currency, k.lang),
                         'interest_amount', arcollect.format_money(coalesce(t.interest, 0), t.currency, k.lang),
                         'message_date', pg_catalog.to_char(t.message_date, 'YYYY-MM-DD'))) AS vals
                FROM pg_catalog.jsonb_to_recordset(coalesce(t.invoices, '[]')) l(invoice_key text, open_amount numeric,
                                                                                  due_on date)) x)
    SELECT m.request_no, m.subject, m.body, m.error, m.problem, m.problem_value, v.vals
      FROM arcollect.render_messages(ARRAY(SELECT v.template_name FROM v ORDER BY v.n),
                                     ARRAY(SELECT v.language FROM v ORDER BY v.n),
                                     ARRAY(SELECT v.channel FROM v ORDER BY v.n),
                                     ARRAY(SELECT v.vals FROM v ORDER BY v.n)) m
      JOIN v ON v.n = m.request_no
     ORDER BY m.request_no;
END
$fn$;

COMMENT ON FUNCTION arcollect.touchpoint_messages(arcollect.touchpoint_message[]) IS
'The messages of touchpoints from the values they state (arcollect.touchpoint_message), rendered by arcollect.render_messages: one row per touchpoint given (request_no, its position) with its subject and body, or why it cannot be rendered (error, problem, problem_value), and the values filled in (vals).';

-- The messages of touchpoints the dunning ladder planned: each one's
-- step's template, in its customer's language, on its channel, with the
-- values of the touchpoint as recorded: the invoices it listed at the
-- open amounts they had then, the late-fee claims made with it, its owner
-- (else the customer's), and its date (done, else planned, else created)
-- in the customer's time zone.  The currency is the touchpoint's, else the
-- one of the invoices it lists.  arcollect.render_touchpoints renders
-- many (a problem instead of an error: touchpoint, no_step, currency, or
-- one of arcollect.render_messages'); arcollect.render_touchpoint is it
-- for one, and raises.
CREATE OR REPLACE FUNCTION arcollect.render_touchpoints(touchpoint_ids bigint[])
RETURNS TABLE (touchpoint_id bigint, subject text, body text, error text, problem text, template_name text,
               language text, channel text, vals jsonb)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH tp AS MATERIALIZED (
        SELECT x.n::integer AS n, x.id, t.touchpoint_id AS found, t.customer_id, t.channel, t.currency, t.owner,
               t.policy_name, t.step_no, s.template_name, c.name, c.owner AS customer_owner,
               coalesce(c.language, 'en') AS language,
               (coalesce(t.done_at, t.planned_for, t.created_at) AT TIME ZONE coalesce(c.time_zone, 'UTC'))::date
                   AS message_date
          FROM unnest(touchpoint_ids) WITH ORDINALITY x(id, n)
          LEFT JOIN arcollect.touchpoint t ON t.touchpoint_id = x.id
          LEFT JOIN arcollect.policy_step s ON s.policy_name = t.policy_name AND s.step_no = t.step_no
          -- (the condition on the view's customer_id reaches its invoices)
          LEFT JOIN arcollect.customer c
                 ON c.customer_id = t.customer_id
                AND c.customer_id = ANY (ARRAY(SELECT u.customer_id FROM arcollect.touchpoint u
                                                WHERE u.touchpoint_id = ANY (touchpoint_ids)))),
    listed AS (
        SELECT t.n, pg_catalog.min(i.currency) AS currency, pg_catalog.count(DISTINCT i.currency) AS currencies,
               pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('invoice_key', ti.invoice_key,
                                                                  'open_amount', ti.open_amount,
                                                                  'due_on', i.due_on)) AS invoices
          FROM tp t
          JOIN arcollect.touchpoint_invoice ti ON ti.touchpoint_id = t.found
          LEFT JOIN arcollect.invoice i ON i.attachment_id = ti.attachment_id AND i.invoice_key = ti.invoice_key
         GROUP BY t.n),
    w AS (
        SELECT t.*, coalesce(t.currency, l.currency) AS cur, l.invoices,
               CASE WHEN t.found IS NULL THEN 'touchpoint'
                    WHEN t.template_name IS NULL THEN 'no_step'
                    WHEN coalesce(t.currency, l.currency) IS NULL OR (t.currency IS NULL AND l.currencies > 1)
                    THEN 'currency' END AS problem
          FROM tp t LEFT JOIN listed l ON l.n = t.n),
    ok AS (
        SELECT w.*, pg_catalog.row_number() OVER (ORDER BY w.n)::integer AS m,
               f.compensation, f.interest
          FROM w
         CROSS JOIN LATERAL (SELECT coalesce(pg_catalog.sum(f.compensation), 0) AS compensation,
                                    coalesce(pg_catalog.sum(f.interest), 0) AS interest
                               FROM arcollect.late_fee_claim f
                              WHERE f.touchpoint_id = w.found AND f.currency = w.cur) f
         WHERE w.problem IS NULL),
    msg AS (
        SELECT * FROM arcollect.touchpoint_messages(ARRAY(
            SELECT ROW(o.customer_id, o.name, coalesce(o.owner, o.customer_owner), o.cur, o.language, o.channel,
                       o.template_name, o.message_date, o.invoices, o.compensation, o.interest)::arcollect.touchpoint_message
              FROM ok o ORDER BY o.m)))
    SELECT w.id, m.subject, m.body,
           CASE w.problem
                WHEN 'touchpoint' THEN format('touchpoint %s does not exist', w.id)
                WHEN 'no_step' THEN format('touchpoint %s has no policy step to take a message template from', w.id)
                WHEN 'currency' THEN format('touchpoint %s is about no one currency', w.id)
                ELSE m.error END,
           coalesce(w.problem, m.problem), w.template_name, w.language, w.channel, m.vals
      FROM w
      LEFT JOIN ok o ON o.n = w.n
      LEFT JOIN msg m ON m.request_no = o.m
     ORDER BY w.n;
$fn$;

COMMENT ON FUNCTION arcollect.render_touchpoints(bigint[]) IS
'arcollect.render_touchpoint for many touchpoints at once, in the order given: each one''s subject and body, or, when it cannot be rendered, why (error, the error render_touchpoint would raise; problem: touchpoint, no_step, currency, or one of arcollect.render_messages''), with the template, language, channel and values it was rendered from.';

CREATE OR REPLACE FUNCTION arcollect.render_touchpoint(touchpoint_id bigint)
RETURNS TABLE (subject text, body text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    r record;
    tp record;
BEGIN
    SELECT * INTO r FROM arcollect.render_touchpoints(ARRAY[render_touchpoint.touchpoint_id]) x;
    IF r.problem = 'touchpoint' THEN
        RAISE EXCEPTION '%', r.error
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'See arcollect.touchpoints for the touchpoints.';
    ELSIF r.problem IN ('no_step', 'currency') THEN
        SELECT t.policy_name, t.step_no,
               (SELECT pg_catalog.count(DISTINCT i.currency)
                  FROM arcollect.touchpoint_invoice ti
                  JOIN arcollect.invoice i ON i.attachment_id = ti.attachment_id AND i.invoice_key = ti.invoice_key
                 WHERE ti.touchpoint_id = t.touchpoint_id) AS currencies
          INTO tp
          FROM arcollect.touchpoint t WHERE t.touchpoint_id = render_touchpoint.touchpoint_id;
        IF r.problem = 'no_step' THEN
            RAISE EXCEPTION '%', r.error
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = CASE WHEN tp.policy_name IS NULL THEN 'It was not planned by an escalation policy.'
                                    ELSE format('Step %s of policy "%s" does not exist (any more).', tp.step_no, tp.policy_name) END,
                      HINT = 'Render a template by name with arcollect.render_message.';
        END IF;
        RAISE EXCEPTION '%', r.error
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('It names no currency and lists invoices in %s currencies.', tp.currencies),
                  HINT = 'Set the touchpoint''s currency, or list invoices of one currency.';
    ELSIF r.problem IS NOT NULL THEN
        -- the message's own error, as arcollect.render_message raises it
        PERFORM arcollect.render_message(r.template_name, r.language, r.channel, r.vals);
    END IF;
    RETURN QUERY SELECT r.subject, r.body;
END
$fn$;

COMMENT ON FUNCTION arcollect.render_touchpoint(bigint) IS
'The subject and body of a touchpoint''s message as arcollect.render_message renders it: the template of the touchpoint''s policy step, in the customer''s language, on the touchpoint''s channel, with the values it recorded (the invoices it listed at their open amounts then, the late-fee claims made with it, its owner else the customer''s, its date in the customer''s time zone). A touchpoint with no policy step, or about no one currency, is an error (SQLSTATE 22023).';

REVOKE ALL ON arcollect.message_template FROM PUBLIC;
