-- The escalation run: what a run would write for a date
-- (arcollect.preview_escalations, which writes nothing), writing it
-- (arcollect.apply_escalation_changes), for one customer
-- (arcollect.escalate_customer, for whatever recomputes a customer after
-- an event) or for all, in committed batches (CALL
-- arcollect.run_escalations).  The stage is arcollect.escalation_stage's
-- (sql/code/escalation_stage.sql); the state is in sql/schema/escalation.sql.
--
-- A customer and currency whose stage reaches a step above the highest
-- one planned in its open episode (or that has none) gets:
--   - plan: one touchpoint for the step reached, listing its invoices
--     with their open amounts, planned for 08:00 of as_of in the
--     customer's time zone as the contact rules allow
--     (arcollect.contact_decision: ok, deferred to a later time, or
--     skipped with the rule as its reason), its message rendered
--     (arcollect.render_touchpoint); a fee step claims the late fees of
--     the invoices it lists, a credit_hold step sets a credit hold;
--   - supersede: for each step between that the customer reaches, a
--     skipped touchpoint with reason superseded (a catch-up: the run did
--     not see the customer on the day of those steps).  A superseded
--     credit_hold step still sets the hold (the account is in that state
--     whatever was sent), a superseded fee step claims nothing (no message
--     stated it).  A step whose min_overdue_amount the customer's
--     escalatable amount does not reach is not taken, neither passed over:
--     no touchpoint, no hold; should the amount reach it later, while the
--     episode is at a higher step, it is taken then, superseded.  So an
--     episode takes each step it reaches once, whichever day.
-- An open episode with nothing escalatable left (or, once it reached the
-- overdue steps, nothing escalatable overdue) gets end: it ends with the
-- reason (paid, disputed, plan, promise), its planned touchpoints are
-- cancelled with it; a later overdue starts a new episode at the step it
-- reaches.  A credit hold in force whose customer has nothing escalatable
-- overdue in its currency gets release_hold.
-- A stage that falls back (the oldest invoice paid) changes nothing: a
-- step is taken once per episode.
--
-- Everything runs with the caller's rights.  The caller (an admin, or the
-- superuser pg_cron runs as) needs SELECT on the ledger and the records,
-- INSERT and UPDATE on arcollect.escalation_run, escalation,
-- escalation_step, credit_hold, touchpoint, touchpoint_invoice and
-- late_fee_claim, UPDATE on payment_plan and promise (settle_commitments),
-- and TEMPORARY on the database (doc/ledger.md, Privileges).

CREATE OR REPLACE FUNCTION arcollect.preview_escalations(as_of date DEFAULT current_date,
                                                         customer_id text DEFAULT NULL)
RETURNS SETOF arcollect.escalation_change
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
-- JIT compiled this one large query anew on every call, about 3 s, for a
-- query that runs in a quarter of a second (bench/escalation_run.sh: the
-- second run of a day 3.5 s with JIT, 0.26 s without), as reconcile's
-- query does
SET jit = off
AS $fn$
BEGIN
    IF as_of IS NULL THEN
        RAISE EXCEPTION 'as_of must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    RETURN QUERY
    WITH stage AS MATERIALIZED (
        SELECT * FROM arcollect.escalation_stage(preview_escalations.as_of, preview_escalations.customer_id) s0),
    ep AS (
        SELECT e.escalation_id, e.customer_id, e.currency, e.step_no,
               s.step_no IS NULL OR (s.escalatable_overdue = 0 AND e.days_from_due > 0) AS ends,
               coalesce(s.held_by, 'paid') AS reason
          FROM arcollect.escalation e
          LEFT JOIN stage s ON s.customer_id = e.customer_id AND s.currency = e.currency
         WHERE e.ended_on IS NULL AND ($2 IS NULL OR e.customer_id = $2)),
    go AS (
        SELECT x.* FROM (
            SELECT s.*, CASE WHEN NOT ep.ends THEN ep.escalation_id END AS escalation_id,
                   CASE WHEN NOT ep.ends THEN ep.step_no ELSE 0 END AS last_step,
                   c.owner, ($1 + time '08:00') AT TIME ZONE c.time_zone AS wanted
              FROM stage s
              LEFT JOIN ep ON ep.customer_id = s.customer_id AND ep.currency = s.currency
              JOIN arcollect.customer c ON c.customer_id = s.customer_id
             WHERE s.step_no IS NOT NULL) x
         WHERE x.step_no > x.last_step),
    asked AS MATERIALIZED (
        SELECT g.*, pg_catalog.row_number() OVER (ORDER BY g.customer_id, g.currency)::integer AS request_no
          FROM go g)
    SELECT 'end', ep.customer_id, ep.currency, ep.escalation_id, NULL, NULL::integer, NULL::integer,
           NULL, NULL, NULL, NULL, NULL::numeric, NULL, NULL, NULL::timestamptz, ep.reason, NULL,
           NULL::numeric, NULL::integer, NULL::jsonb
      FROM ep WHERE ep.ends
    UNION ALL
    SELECT 'release_hold', h.customer_id, h.currency, h.escalation_id, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL, NULL, NULL, NULL, NULL, coalesce(s.held_by, 'paid'), NULL,
           coalesce(s.escalatable_overdue, 0), NULL, NULL
      FROM arcollect.credit_hold h
      LEFT JOIN stage s ON s.customer_id = h.customer_id AND s.currency = h.currency
     WHERE h.released_on IS NULL AND ($2 IS NULL OR h.customer_id = $2)
       AND coalesce(s.escalatable_overdue, 0) = 0
    UNION ALL
    SELECT 'supersede', g.customer_id, g.currency, g.escalation_id, g.policy_name, p.step_no,
           p.days_from_due, p.action, p.channel, p.template_name, p.fee_regime, p.interest_rate,
           'skipped', NULL, NULL, 'superseded', g.owner, g.escalatable_overdue, g.oldest_days_overdue,
           NULL
      FROM go g
      JOIN arcollect.policy_step p ON p.policy_name = g.policy_name
                                  AND p.step_no > g.last_step AND p.step_no < g.step_no
     -- reached (arcollect.escalation_stage's rule): a step before the one
     -- reached lists the same escalatable invoices when it is after the
     -- due date (both list those overdue), so its amount is the step
     -- reached's; a pre-due step lists those and the ones due within its
     -- days, at least that amount, which is compared
     WHERE p.min_overdue_amount <= g.step_amount
    UNION ALL
    -- a step below the episode's highest that the customer reaches only
    -- now, its min_overdue_amount met since (more fell due, a promise
    -- broke): taken now, superseded, so that an episode takes every step
    -- it reaches, once each, whichever day it reached them (and a run
    -- once on the last day takes the same steps as runs day by day).  Only
    -- a step with a threshold can be left behind so.
    SELECT 'supersede', s.customer_id, s.currency, ep.escalation_id, s.policy_name, p.step_no,
           p.days_from_due, p.action, p.channel, p.template_name, p.fee_regime, p.interest_rate,
           'skipped', NULL, NULL, 'superseded', c.owner, s.escalatable_overdue, s.oldest_days_overdue,
           NULL
      FROM stage s
      JOIN ep ON ep.customer_id = s.customer_id AND ep.currency = s.currency AND NOT ep.ends
      JOIN arcollect.policy_step p ON p.policy_name = s.policy_name
                                  AND p.step_no < ep.step_no AND p.step_no < s.step_no
                                  AND p.min_overdue_amount > 0 AND p.min_overdue_amount <= s.step_amount
      JOIN arcollect.customer c ON c.customer_id = s.customer_id
     WHERE NOT EXISTS (SELECT FROM arcollect.escalation_step t
                        WHERE t.escalation_id = ep.escalation_id AND t.step_no = p.step_no)
    UNION ALL
    SELECT 'plan', g.customer_id, g.currency, g.escalation_id, g.policy_name, g.step_no,
           g.days_from_due, g.action, g.channel, g.template_name, g.fee_regime, g.interest_rate,
           CASE WHEN d.decision = 'skipped' THEN 'skipped' ELSE 'planned' END, d.decision,
           CASE WHEN d.decision = 'skipped' THEN NULL ELSE d.planned_for END, d.reason, g.owner,
           g.escalatable_overdue, g.oldest_days_overdue, g.invoices
      FROM asked g
      -- every plan's decision in one call
      JOIN arcollect.contact_decisions(ARRAY(SELECT a.customer_id FROM asked a ORDER BY a.request_no),
                                       ARRAY(SELECT a.channel FROM asked a ORDER BY a.request_no),
                                       ARRAY(SELECT a.wanted FROM asked a ORDER BY a.request_no)) d
        ON d.request_no = g.request_no
     ORDER BY 2, 3, 6 NULLS FIRST;
END
$fn$;

COMMENT ON FUNCTION arcollect.preview_escalations(date, text) IS
'What CALL arcollect.run_escalations(as_of) would write (for one customer, or all when customer_id is NULL), writing nothing: per customer and currency, the step reached to plan (change plan, with its channel, when it would be made and the contact rules'' decision, and the invoices it lists), the other steps reached, not taken yet in the episode (supersede: passed over, or a step whose minimum overdue amount is met only after a later step was taken), the escalation that ends (end, with the reason) and the credit hold released (release_hold). The run writes exactly these rows (arcollect.apply_escalation_changes).';

-- The message of a planned touchpoint of the ladder, rendered into its
-- subject and body (arcollect.render_touchpoint).  A message that cannot
-- be rendered (a placeholder without a value, such as {{owner}} of a
-- customer with no owner; no template for the channel and language) is
-- not an error of the run: the touchpoint stays planned with subject and
-- body NULL, the error is kept in arcollect.escalation_step.render_error,
-- and the outbox leaves it out when its channel sends a message (email,
-- letter, sms, portal) until it is rendered: by this function, which the
-- next run calls again for every such touchpoint, or by hand once the
-- template or the customer is fixed.  Returns whether it was rendered.
-- Only the render's own errors (SQLSTATE 22023) are caught, in a
-- subtransaction around it; any other error is the caller's.
CREATE OR REPLACE FUNCTION arcollect.render_escalation_message(touchpoint_id bigint)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    subj text;
    bod text;
    err text;
BEGIN
    BEGIN
        SELECT r.subject, r.body INTO subj, bod
          FROM arcollect.render_touchpoint(render_escalation_message.touchpoint_id) r;
    EXCEPTION WHEN invalid_parameter_value THEN
        GET STACKED DIAGNOSTICS err = MESSAGE_TEXT;
    END;
    UPDATE arcollect.touchpoint t SET subject = subj, body = bod
     WHERE t.touchpoint_id = render_escalation_message.touchpoint_id AND t.status = 'planned'
       AND err IS NULL;
    UPDATE arcollect.escalation_step s SET render_error = err
     WHERE s.touchpoint_id = render_escalation_message.touchpoint_id
       AND s.render_error IS DISTINCT FROM err;
    RETURN err IS NULL;
END
$fn$;

COMMENT ON FUNCTION arcollect.render_escalation_message(bigint) IS
'Renders the message of a planned touchpoint of the dunning ladder into its subject and body (arcollect.render_touchpoint) and returns true; when it cannot be rendered (SQLSTATE 22023: a placeholder with no value, such as {{owner}} of a customer without one, or no template), leaves subject and body NULL, records the error in arcollect.escalation_step.render_error and returns false. The run calls it for each touchpoint it plans and again for those left unrendered.';

-- Writes changes that arcollect.preview_escalations listed.  Each write
-- is guarded so that rows computed a while ago, or twice, write nothing
-- twice: an episode ends once (ended_on IS NULL), a step is taken once
-- per episode (arcollect.escalation_step's key; the touchpoint is made
-- only for a step row this call inserted), a hold is set once while in
-- force (a unique index), and a plan row for an episode that has ended
-- meanwhile writes nothing.
CREATE OR REPLACE FUNCTION arcollect.apply_escalation_changes(
    as_of date, changes arcollect.escalation_change[],
    OUT customers_advanced integer, OUT touchpoints_planned integer, OUT touchpoints_deferred integer,
    OUT touchpoints_skipped integer, OUT steps_superseded integer, OUT touchpoints_cancelled integer,
    OUT escalations_ended integer, OUT holds_set integer, OUT holds_released integer,
    OUT messages_unrendered integer)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    made bigint[];
    pc arcollect.escalation_change;
    claim_error text;
    todo arcollect.escalation_change[];
    episodes bigint[];
    turns bigint[];
    wanted timestamptz[];
    made_tps bigint[];
    decisions text[];
    turn_n integer[];
    turn_tps bigint[];
    turn_decisions text[];
    turn_errors text[];
    turn_rendered boolean[];
    render_errors text[];
    render_now boolean;
    zones text[];
    names text[];
    languages text[];
BEGIN
    IF as_of IS NULL THEN
        RAISE EXCEPTION 'as_of must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;

    WITH ended AS (
        UPDATE arcollect.escalation e
           SET ended_on = greatest(e.started_on, apply_escalation_changes.as_of), end_reason = c.reason
          FROM unnest(changes) c
         WHERE c.change = 'end' AND e.escalation_id = c.escalation_id AND e.ended_on IS NULL
        RETURNING e.escalation_id, e.end_reason),
    cancelled AS (
        UPDATE arcollect.touchpoint t SET status = 'cancelled', reason = x.end_reason
          FROM ended x
          JOIN arcollect.escalation_step s ON s.escalation_id = x.escalation_id
         WHERE t.touchpoint_id = s.touchpoint_id AND t.status = 'planned'
        RETURNING t.touchpoint_id)
    SELECT (SELECT count(*) FROM ended), (SELECT count(*) FROM cancelled)
      INTO escalations_ended, touchpoints_cancelled;

    WITH released AS (
        UPDATE arcollect.credit_hold h
           SET released_on = greatest(h.since, apply_escalation_changes.as_of), released_reason = c.reason
          FROM unnest(changes) c
         WHERE c.change = 'release_hold' AND h.customer_id = c.customer_id AND h.currency = c.currency
           AND h.released_on IS NULL
        RETURNING h.hold_id)
    SELECT count(*) INTO holds_released FROM released;

    customers_advanced := 0; touchpoints_planned := 0; touchpoints_deferred := 0;
    touchpoints_skipped := 0; messages_unrendered := 0; steps_superseded := 0; holds_set := 0;
    -- Nothing to plan, nothing more to write: the statements below are
    -- not run at all, so that a caller who may only end episodes, cancel
    -- their touchpoints and release holds (a collector, through the record
    -- triggers of sql/code/escalation_events.sql) needs no other privilege.
    IF NOT EXISTS (SELECT FROM unnest(changes) c WHERE c.change IN ('plan', 'supersede')) THEN
        RETURN;
    END IF;

    -- new episodes start at the step they plan
    INSERT INTO arcollect.escalation (customer_id, currency, policy_name, started_on, step_no, days_from_due)
    SELECT c.customer_id, c.currency, c.policy_name, apply_escalation_changes.as_of, c.step_no, c.days_from_due
      FROM unnest(changes) c
     WHERE c.change = 'plan' AND c.escalation_id IS NULL
    ON CONFLICT (customer_id, currency) WHERE ended_on IS NULL DO NOTHING;

    -- the steps passed over, into the open episode of their customer and
    -- currency, and a skipped touchpoint for each step row inserted here
    WITH c AS (
        SELECT x.*, e.escalation_id AS episode
          FROM unnest(changes) x
          JOIN arcollect.escalation e ON e.customer_id = x.customer_id AND e.currency = x.currency
                                     AND e.ended_on IS NULL
         WHERE x.change = 'supersede'
           AND (x.escalation_id IS NULL OR x.escalation_id = e.escalation_id)),
    taken AS (
        INSERT INTO arcollect.escalation_step (escalation_id, step_no, days_from_due, action, channel,
                                               template_name, taken_on)
        SELECT c.episode, c.step_no, c.days_from_due, c.action, c.channel, c.template_name,
               apply_escalation_changes.as_of
          FROM c
        ON CONFLICT (escalation_id, step_no) DO NOTHING
        RETURNING escalation_id, step_no),
    tp AS (
        INSERT INTO arcollect.touchpoint (customer_id, currency, channel, status, owner, planned_for,
                                          policy_name, step_no, reason)
        SELECT c.customer_id, c.currency, c.channel, c.status, c.owner, c.planned_for, c.policy_name,
               c.step_no, c.reason
          FROM c
          JOIN taken k ON k.escalation_id = c.episode AND k.step_no = c.step_no
        RETURNING touchpoint_id)
    SELECT coalesce(array_agg(tp.touchpoint_id), '{}') INTO made FROM tp;
    steps_superseded := pg_catalog.cardinality(made);
    UPDATE arcollect.escalation_step s SET touchpoint_id = t.touchpoint_id
      FROM arcollect.touchpoint t
      JOIN arcollect.escalation e ON e.customer_id = t.customer_id AND e.currency = t.currency
                                 AND e.ended_on IS NULL
     WHERE t.touchpoint_id = ANY (made) AND s.escalation_id = e.escalation_id AND s.step_no = t.step_no;

    -- The steps reached.  Their step rows first: a step taken already in
    -- the episode (a batch written twice, a concurrent writer) inserts
    -- none and is left out of what follows.
    WITH reach AS (
        SELECT x AS c, e.escalation_id AS episode
          FROM unnest(changes) x
          JOIN arcollect.escalation e ON e.customer_id = x.customer_id AND e.currency = x.currency
                                     AND e.ended_on IS NULL
         WHERE x.change = 'plan' AND (x.escalation_id IS NULL OR x.escalation_id = e.escalation_id)),
    taken AS (
        INSERT INTO arcollect.escalation_step (escalation_id, step_no, days_from_due, action, channel,
                                               template_name, taken_on)
        SELECT r.episode, (r.c).step_no, (r.c).days_from_due, (r.c).action, (r.c).channel,
               (r.c).template_name, apply_escalation_changes.as_of
          FROM reach r
        ON CONFLICT (escalation_id, step_no) DO NOTHING
        RETURNING escalation_id, step_no)
    SELECT pg_catalog.array_agg(y.c ORDER BY y.ord), pg_catalog.array_agg(y.episode ORDER BY y.ord),
           pg_catalog.array_agg(y.turn ORDER BY y.ord)
      INTO todo, episodes, turns
      FROM (SELECT r.c, r.episode,
                   pg_catalog.row_number() OVER (ORDER BY (r.c).customer_id, (r.c).currency, (r.c).step_no) AS ord,
                   pg_catalog.row_number() OVER (PARTITION BY (r.c).customer_id, (r.c).channel
                                                 ORDER BY (r.c).currency, (r.c).step_no) AS turn
              FROM reach r JOIN taken k ON k.escalation_id = r.episode AND k.step_no = (r.c).step_no) y;
    todo := coalesce(todo, '{}');
    made_tps := pg_catalog.array_fill(NULL::bigint, ARRAY[pg_catalog.cardinality(todo)]);
    decisions := pg_catalog.array_fill(NULL::text, ARRAY[pg_catalog.cardinality(todo)]);
    -- 08:00 of the day in each customer's time zone, and what the
    -- messages say of the customer
    render_errors := pg_catalog.array_fill(NULL::text, ARRAY[pg_catalog.cardinality(todo)]);
    SELECT pg_catalog.array_agg((apply_escalation_changes.as_of + time '08:00') AT TIME ZONE u.time_zone ORDER BY t.n),
           pg_catalog.array_agg(u.time_zone ORDER BY t.n), pg_catalog.array_agg(u.name ORDER BY t.n),
           pg_catalog.array_agg(u.language ORDER BY t.n)
      INTO wanted, zones, names, languages
      FROM pg_catalog.generate_series(1, pg_catalog.cardinality(todo)) t(n)
      LEFT JOIN arcollect.customer u ON u.customer_id = (todo[t.n]).customer_id
                               AND u.customer_id = ANY (ARRAY(SELECT x.customer_id FROM unnest(todo) x));

    -- The touchpoints, in turns: the contact rules are asked when the
    -- touchpoint is written, not when the preview was computed, and a
    -- customer's second touchpoint on a channel in this call (another
    -- currency) is decided in the next turn, once the first is stored,
    -- so that it sees the first in the caps as it sees those of earlier
    -- calls.  Each turn: the decisions of its touchpoints
    -- (arcollect.contact_decisions), their messages, rendered before they
    -- are written (arcollect.touchpoint_messages, from the values the
    -- touchpoint states: rendering it once written would read the same
    -- back), the touchpoints, the invoices they list, and the late fees
    -- of a fee step (before a later turn counts the touchpoint: one whose
    -- fees cannot be claimed is skipped), whose message states them and
    -- is rendered once they are claimed.  A message that cannot be
    -- rendered leaves the touchpoint planned without one and its error in
    -- escalation_step.render_error (arcollect.render_escalation_message);
    -- an error of the statement that renders them (SQLSTATE 22023, which
    -- render_escalation_message catches for its one touchpoint) has the
    -- turn written again without messages, each then rendered on its own.
    FOR this_turn IN 1 .. coalesce((SELECT pg_catalog.max(x) FROM unnest(turns) x), 0) LOOP
      render_now := true;
      LOOP
      BEGIN
        WITH mine AS MATERIALIZED (
            SELECT t.n, todo[t.n] AS c, pg_catalog.row_number() OVER (ORDER BY t.n)::integer AS request_no
              FROM pg_catalog.generate_series(1, pg_catalog.cardinality(todo)) t(n)
             WHERE turns[t.n] = this_turn),
        asked AS (
            SELECT d.*
              FROM arcollect.contact_decisions(ARRAY(SELECT (m.c).customer_id FROM mine m ORDER BY m.request_no),
                                               ARRAY(SELECT (m.c).channel FROM mine m ORDER BY m.request_no),
                                               ARRAY(SELECT wanted[m.n] FROM mine m ORDER BY m.request_no)) d),
        to_render AS MATERIALIZED (
            SELECT m.request_no, pg_catalog.row_number() OVER (ORDER BY m.request_no)::integer AS k,
                   ROW((m.c).customer_id, names[m.n], (m.c).owner, (m.c).currency, languages[m.n], (m.c).channel,
                       (m.c).template_name, (d.planned_for AT TIME ZONE zones[m.n])::date, (m.c).invoices,
                       0, 0)::arcollect.touchpoint_message AS item
              FROM mine m JOIN asked d ON d.request_no = m.request_no
             WHERE render_now AND d.decision <> 'skipped' AND (m.c).action <> 'fee'),
        msg AS (
            SELECT r.request_no, x.subject, x.body, x.error
              FROM arcollect.touchpoint_messages(ARRAY(SELECT r.item FROM to_render r ORDER BY r.k)) x
              JOIN to_render r ON r.k = x.request_no),
        tp AS (
            INSERT INTO arcollect.touchpoint (customer_id, currency, channel, status, owner, planned_for,
                                              policy_name, step_no, reason, subject, body)
            SELECT (m.c).customer_id, (m.c).currency, (m.c).channel,
                   CASE WHEN d.decision = 'skipped' THEN 'skipped' ELSE 'planned' END, (m.c).owner,
                   CASE WHEN d.decision = 'skipped' THEN NULL ELSE d.planned_for END,
                   (m.c).policy_name, (m.c).step_no, d.reason, g.subject, g.body
              FROM mine m
              JOIN asked d ON d.request_no = m.request_no
              LEFT JOIN msg g ON g.request_no = m.request_no
             ORDER BY m.n
            RETURNING touchpoint_id, customer_id, currency, status)
        SELECT pg_catalog.array_agg(m.n), pg_catalog.array_agg(tp.touchpoint_id), pg_catalog.array_agg(d.decision),
               pg_catalog.array_agg(g.error), pg_catalog.array_agg(r.k IS NOT NULL)
          INTO turn_n, turn_tps, turn_decisions, turn_errors, turn_rendered
          FROM mine m
          JOIN asked d ON d.request_no = m.request_no
          JOIN tp ON tp.customer_id = (m.c).customer_id AND tp.currency = (m.c).currency
          LEFT JOIN to_render r ON r.request_no = m.request_no
          LEFT JOIN msg g ON g.request_no = m.request_no;
        EXIT;
      EXCEPTION WHEN invalid_parameter_value THEN
        IF NOT render_now THEN
            RAISE;
        END IF;
        render_now := false;
      END;
      END LOOP;
        FOR i IN 1 .. coalesce(pg_catalog.cardinality(turn_n), 0) LOOP
            made_tps[turn_n[i]] := turn_tps[i];
            decisions[turn_n[i]] := turn_decisions[i];
            render_errors[turn_n[i]] := turn_errors[i];
            -- rendered with the others: 'rendered' (or not, with its error)
            IF turn_rendered[i] THEN
                decisions[turn_n[i]] := decisions[turn_n[i]] || ' rendered';
            END IF;
        END LOOP;

        INSERT INTO arcollect.touchpoint_invoice (touchpoint_id, attachment_id, invoice_key, open_amount)
        SELECT t.tp, (j ->> 'attachment_id')::integer, j ->> 'invoice_key', (j ->> 'open_amount')::numeric
          FROM unnest(turn_n, turn_tps) t(n, tp)
         CROSS JOIN LATERAL jsonb_array_elements((todo[t.n]).invoices) j;

        -- a fee step that is made claims the fees of the invoices it
        -- lists, before the message that states them is rendered.  Fees
        -- the step cannot claim (its regime fixes them in a currency the
        -- customer does not owe in: claim_late_fees refuses, SQLSTATE
        -- 22023) skip the touchpoint with that reason, so that no fee
        -- notice goes out without its fee, and one customer's step does
        -- not stop the run for the others.
        FOR i IN 1 .. coalesce(pg_catalog.cardinality(turn_n), 0) LOOP
            pc := todo[turn_n[i]];
            CONTINUE WHEN turn_decisions[i] = 'skipped' OR pc.action <> 'fee';
            claim_error := NULL;
            BEGIN
                PERFORM arcollect.claim_late_fees(pc.customer_id, pc.currency, pc.fee_regime, pc.interest_rate,
                                                  apply_escalation_changes.as_of, turn_tps[i]);
            EXCEPTION WHEN invalid_parameter_value THEN
                GET STACKED DIAGNOSTICS claim_error = MESSAGE_TEXT;
            END;
            IF claim_error IS NOT NULL THEN
                UPDATE arcollect.touchpoint t
                   SET status = 'skipped', planned_for = NULL, reason = 'fee not claimable: ' || claim_error
                 WHERE t.touchpoint_id = turn_tps[i];
                decisions[turn_n[i]] := 'unclaimable';
            END IF;
        END LOOP;
    END LOOP;

    UPDATE arcollect.escalation_step s SET touchpoint_id = made_tps[t.n], render_error = render_errors[t.n]
      FROM pg_catalog.generate_series(1, pg_catalog.cardinality(todo)) t(n)
     WHERE s.escalation_id = episodes[t.n] AND s.step_no = (todo[t.n]).step_no;
    made := made || made_tps;
    customers_advanced := pg_catalog.cardinality(todo);
    SELECT count(*) FILTER (WHERE d IN ('ok', 'ok rendered')),
           count(*) FILTER (WHERE d IN ('deferred', 'deferred rendered')),
           count(*) FILTER (WHERE d IN ('skipped', 'unclaimable'))
      INTO touchpoints_planned, touchpoints_deferred, touchpoints_skipped
      FROM unnest(decisions) d;

    -- the messages of the touchpoints planned not rendered with the
    -- others (fee steps, or all of a turn whose rendering failed)
    SELECT count(*) FILTER (WHERE t.e IS NOT NULL) INTO messages_unrendered
      FROM unnest(decisions, render_errors) t(d, e)
     WHERE t.d IN ('ok rendered', 'deferred rendered');
    SELECT messages_unrendered + count(*) FILTER (WHERE NOT arcollect.render_escalation_message(t.tp))
      INTO messages_unrendered
      FROM unnest(made_tps, decisions) t(tp, d)
     WHERE t.d IN ('ok', 'deferred');

    UPDATE arcollect.escalation e SET step_no = s.step_no, days_from_due = s.days_from_due
      FROM (SELECT DISTINCT ON (s.escalation_id) s.escalation_id, s.step_no, s.days_from_due
              FROM arcollect.escalation_step s
             WHERE s.touchpoint_id = ANY (made)
             ORDER BY s.escalation_id, s.step_no DESC) s
     WHERE e.escalation_id = s.escalation_id AND s.step_no > e.step_no;

    WITH held AS (
        INSERT INTO arcollect.credit_hold (customer_id, currency, since, reason, escalation_id)
        SELECT t.customer_id, t.currency, apply_escalation_changes.as_of,
               format('step %s (%s) of policy %s: %s %s escalatable overdue, the oldest %s days',
                      x.step_no, x.template_name, x.policy_name, x.escalatable_overdue, x.currency,
                      x.oldest_days_overdue),
               s.escalation_id
          FROM arcollect.touchpoint t
          JOIN arcollect.escalation_step s ON s.touchpoint_id = t.touchpoint_id
          JOIN unnest(changes) x ON x.change IN ('plan', 'supersede') AND x.customer_id = t.customer_id
                                AND x.currency = t.currency AND x.step_no = t.step_no
         WHERE t.touchpoint_id = ANY (made) AND x.action = 'credit_hold'
        ON CONFLICT (customer_id, currency) WHERE released_on IS NULL DO NOTHING
        RETURNING hold_id)
    SELECT count(*) INTO holds_set FROM held;
END
$fn$;

COMMENT ON FUNCTION arcollect.apply_escalation_changes(date, arcollect.escalation_change[]) IS
'Writes changes listed by arcollect.preview_escalations(as_of): ends escalations (cancelling their planned touchpoints), releases credit holds, plans the touchpoints of the steps reached with the invoices they list (claiming late fees for fee steps, setting credit holds), records steps passed over as skipped (superseded), and returns what it wrote. A change written already (a step taken in the episode, an episode ended) writes nothing again.';

-- The seam for recomputing one customer now (after a payment, a dispute,
-- a plan or a promise): the same preview and the same writes as a run.
CREATE OR REPLACE FUNCTION arcollect.escalate_customer(customer_id text, as_of date DEFAULT current_date)
RETURNS TABLE (customers_advanced integer, touchpoints_planned integer, touchpoints_deferred integer,
               touchpoints_skipped integer, steps_superseded integer, touchpoints_cancelled integer,
               escalations_ended integer, holds_set integer, holds_released integer,
               messages_unrendered integer)
LANGUAGE sql
BEGIN ATOMIC
    SELECT a.*
      FROM arcollect.apply_escalation_changes(
               escalate_customer.as_of,
               ARRAY(SELECT p FROM arcollect.preview_escalations(escalate_customer.as_of,
                                                                 escalate_customer.customer_id) p)) a;
END;

COMMENT ON FUNCTION arcollect.escalate_customer(text, date) IS
'Recomputes one customer''s escalation as of as_of (every currency) and writes what a run would write for it: steps reached planned, escalations with nothing escalatable left ended and their planned touchpoints cancelled, holds released. Returns what it wrote.';

-- The time-driven run, for pg_cron:
--   SELECT cron.schedule('arcollect-escalations', '15 6 * * *', 'CALL arcollect.run_escalations()');
-- A procedure, since it commits: the run is recorded (and committed)
-- first, then commitments are settled, then the changes are computed once
-- (arcollect.preview_escalations) and written batch_size customers at a
-- time, each batch committed, so that no lock is held long and a run
-- killed midway keeps the batches done; the next run recomputes from what
-- is stored and writes the rest, nothing twice.  One run at a time: a
-- session advisory lock, whose key is the first 64 bits of
-- md5('arcollect.run_escalations'); a second run returns with a NOTICE.
-- No SET clause (a procedure with one cannot commit): the work is done by
-- the functions above, which pin search_path, and every name here is
-- schema-qualified.  Called at top level (not inside BEGIN ... COMMIT).
CREATE OR REPLACE PROCEDURE arcollect.run_escalations(as_of date DEFAULT current_date,
                                                      batch_size integer DEFAULT 1000)
LANGUAGE plpgsql
AS $pr$
DECLARE
    lock_key constant bigint := ('x' || pg_catalog.left(pg_catalog.md5('arcollect.run_escalations'), 16))::bit(64)::bigint;
    my_start timestamptz := (SELECT a.backend_start FROM pg_catalog.pg_stat_activity a
                              WHERE a.pid = pg_catalog.pg_backend_pid());
    run bigint;
    batches integer;
    w record;
BEGIN
    IF as_of IS NULL OR batch_size IS NULL OR batch_size < 1 THEN
        RAISE EXCEPTION 'run_escalations needs a date and a batch size of at least 1, not % and %',
                        coalesce(as_of::text, 'NULL'), coalesce(batch_size::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF pg_catalog.pg_is_in_recovery() THEN
        RAISE NOTICE 'arcollect.run_escalations does nothing on a standby'
            USING DETAIL = 'The server is in recovery: escalation runs on the primary.';
        RETURN;
    END IF;
    IF NOT pg_catalog.pg_try_advisory_lock(lock_key) THEN
        RAISE NOTICE 'arcollect.run_escalations is running already; this call does nothing'
            USING DETAIL = coalesce((SELECT format('Run %s for %s started at %s.', r.run_id, r.as_of, r.started_at)
                                       FROM arcollect.escalation_run r WHERE r.status = 'running'
                                      ORDER BY r.run_id DESC LIMIT 1), 'Another session holds its lock.'),
                  HINT = 'Wait for it to finish: the next run starts from what it wrote.';
        RETURN;
    END IF;
    -- A run of this session that raised an error kept the lock (a session
    -- lock outlives the error): it is failed, and its hold of the lock
    -- is given back.  Any other run still 'running' lost its backend.
    IF EXISTS (SELECT FROM arcollect.escalation_run r
                WHERE r.status = 'running' AND r.backend_pid = pg_catalog.pg_backend_pid()
                  AND r.backend_start = my_start) THEN
        PERFORM pg_catalog.pg_advisory_unlock(lock_key);
    END IF;
    UPDATE arcollect.escalation_run r
       SET status = CASE WHEN r.backend_pid = pg_catalog.pg_backend_pid() AND r.backend_start = my_start
                         THEN 'failed' ELSE 'interrupted' END,
           finished_at = pg_catalog.clock_timestamp()
     WHERE r.status = 'running';
    INSERT INTO arcollect.escalation_run (as_of, batch_size, backend_start)
    VALUES (as_of, batch_size, my_start)
    RETURNING run_id INTO run;
    COMMIT;

    -- the run recomputes every customer for its own date right after
    -- settling, so the record triggers (which would recompute as of
    -- today) stand aside for this transaction
    PERFORM pg_catalog.set_config('arcollect.escalation_trigger', 'off', true);
    PERFORM arcollect.settle_commitments(as_of);
    -- messages left unrendered by earlier runs, whose template or
    -- customer may have been fixed since
    PERFORM arcollect.render_escalation_message(s.touchpoint_id)
       FROM arcollect.escalation_step s
       JOIN arcollect.touchpoint t ON t.touchpoint_id = s.touchpoint_id
      WHERE s.render_error IS NOT NULL AND t.status = 'planned';
    COMMIT;

    IF pg_catalog.to_regclass('pg_temp.arcollect_escalation_changes') IS NOT NULL THEN
        DROP TABLE pg_temp.arcollect_escalation_changes;
    END IF;
    CREATE TEMPORARY TABLE arcollect_escalation_changes AS
    SELECT (pg_catalog.dense_rank() OVER (ORDER BY p.customer_id) - 1) / batch_size AS batch, p AS change
      FROM arcollect.preview_escalations(as_of) p;
    CREATE INDEX ON pg_temp.arcollect_escalation_changes (batch);
    SELECT coalesce(pg_catalog.max(c.batch) + 1, 0) INTO batches FROM pg_temp.arcollect_escalation_changes c;
    COMMIT;

    FOR b IN 0 .. batches - 1 LOOP
        SELECT * INTO w
          FROM arcollect.apply_escalation_changes(
                   as_of, ARRAY(SELECT c.change FROM pg_temp.arcollect_escalation_changes c WHERE c.batch = b));
        UPDATE arcollect.escalation_run r
           SET customers_advanced = r.customers_advanced + w.customers_advanced,
               touchpoints_planned = r.touchpoints_planned + w.touchpoints_planned,
               touchpoints_deferred = r.touchpoints_deferred + w.touchpoints_deferred,
               touchpoints_skipped = r.touchpoints_skipped + w.touchpoints_skipped,
               steps_superseded = r.steps_superseded + w.steps_superseded,
               touchpoints_cancelled = r.touchpoints_cancelled + w.touchpoints_cancelled,
               escalations_ended = r.escalations_ended + w.escalations_ended,
               holds_set = r.holds_set + w.holds_set,
               holds_released = r.holds_released + w.holds_released,
               messages_unrendered = r.messages_unrendered + w.messages_unrendered
         WHERE r.run_id = run;
        COMMIT;
    END LOOP;

    -- Payments, disputes, plans and promises written meanwhile were
    -- recomputed without what the batches planned, which were planned
    -- without them: once the transactions that recomputed them have
    -- ended, what they made needless is undone for the customers the run
    -- planned (src/escalation_turns.c).
    PERFORM arcollect.wait_for_escalation_events();
    SELECT * INTO w
      FROM arcollect.end_escalations(ARRAY(SELECT (c.change).customer_id FROM pg_temp.arcollect_escalation_changes c
                                            WHERE (c.change).change IN ('plan', 'supersede')), as_of);
    UPDATE arcollect.escalation_run r
       SET touchpoints_cancelled = r.touchpoints_cancelled + w.touchpoints_cancelled,
           escalations_ended = r.escalations_ended + w.escalations_ended,
           holds_released = r.holds_released + w.holds_released
     WHERE r.run_id = run;
    COMMIT;

    DROP TABLE pg_temp.arcollect_escalation_changes;
    UPDATE arcollect.escalation_run r SET status = 'done', finished_at = pg_catalog.clock_timestamp()
     WHERE r.run_id = run;
    COMMIT;
    PERFORM pg_catalog.pg_advisory_unlock(lock_key);
END
$pr$;

COMMENT ON PROCEDURE arcollect.run_escalations(date, integer) IS
'Advances every customer whose next step has come due as of as_of (CALL it at top level; pg_cron: CALL arcollect.run_escalations()): settles plans and promises for the date, then writes what arcollect.preview_escalations(as_of) lists, batch_size customers per committed batch, and records the run in arcollect.escalation_run. Idempotent; a second run while one is running returns at once with a NOTICE; does nothing on a standby; a run killed midway is finished by the next.';

REVOKE ALL ON arcollect.escalation_run, arcollect.escalation, arcollect.escalation_step FROM PUBLIC;
REVOKE ALL ON SEQUENCE arcollect.escalation_run_run_id_seq, arcollect.escalation_escalation_id_seq FROM PUBLIC;
