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
                                                         customer_id text DEFAULT NULL,
                                                         customers text[] DEFAULT NULL)
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
        SELECT * FROM arcollect.escalation_stage(preview_escalations.as_of, preview_escalations.customer_id,
                                                 preview_escalations.customers) s0),
    ep AS (
        SELECT e.escalation_id, e.customer_id, e.currency, e.step_no,
               s.step_no IS NULL OR (s.escalatable_overdue = 0 AND e.days_from_due > 0) AS ends,
               coalesce(s.held_by, 'paid') AS reason
          FROM arcollect.escalation e
          LEFT JOIN stage s ON s.customer_id = e.customer_id AND s.currency = e.currency
         WHERE e.ended_on IS NULL AND ($2 IS NULL OR e.customer_id = $2)
           AND ($3 IS NULL OR e.customer_id = ANY ($3))),
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
       AND ($3 IS NULL OR h.customer_id = ANY ($3))
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

COMMENT ON FUNCTION arcollect.preview_escalations(date, text, text[]) IS
'What CALL arcollect.run_escalations(as_of) would write (for one customer, for the customers given, or for all when customer_id and customers are NULL), writing nothing: per customer and currency, the step reached to plan (change plan, with its channel, when it would be made and the contact rules'' decision, and the invoices it lists), the other steps reached, not taken yet in the episode (supersede: passed over, or a step whose minimum overdue amount is met only after a later step was taken), the escalation that ends (end, with the reason) and the credit hold released (release_hold). The run writes exactly these rows (arcollect.apply_escalation_changes).';

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
-- each statement planned for the arrays it is given (their lengths are
-- the row counts the planner sees: generic plans count 10 or 100 rows,
-- and nested loops over a thousand made a batch's statements seconds
-- long), and no JIT for statements that cost much only on those counts
SET plan_cache_mode = force_custom_plan
SET jit = off
AS $fn$
DECLARE
    made bigint[];
    passed arcollect.escalation_change[];
    reached arcollect.escalation_change[];
    turn_idx integer[];
    turn_when timestamptz[];
    turn_why text[];
    turn_subjects text[];
    turn_bodies text[];
    turn_tps_sorted bigint[];
    turn_sorted integer[];
    to_render integer[];
    rendered_subjects text[];
    rendered_bodies text[];
    rendered_errors text[];
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
    --
    -- No statement here joins two sets made in this call (their sizes
    -- are guesses to the planner, which then loops over one for each row
    -- of the other, and the escalation tables' statistics are those of
    -- before the run): each reads the tables by their keys, or the arrays
    -- by position.  A step row this call inserted is one without a
    -- touchpoint yet: every writer of a step sets its touchpoint in the
    -- transaction that inserts it.
    passed := ARRAY(SELECT x FROM unnest(changes) x WHERE x.change = 'supersede');
    reached := ARRAY(SELECT x FROM unnest(changes) x WHERE x.change = 'plan');
    SELECT pg_catalog.array_agg(x ORDER BY x.customer_id, x.currency, x.step_no),
           pg_catalog.array_agg(e.escalation_id ORDER BY x.customer_id, x.currency, x.step_no)
      INTO passed, episodes
      FROM unnest(passed) x
      JOIN arcollect.escalation e ON e.customer_id = x.customer_id AND e.currency = x.currency
                                 AND e.ended_on IS NULL
     WHERE x.escalation_id IS NULL OR x.escalation_id = e.escalation_id;
    INSERT INTO arcollect.escalation_step (escalation_id, step_no, days_from_due, action, channel,
                                           template_name, taken_on)
    SELECT episodes[i], (passed[i]).step_no, (passed[i]).days_from_due, (passed[i]).action, (passed[i]).channel,
           (passed[i]).template_name, apply_escalation_changes.as_of
      FROM pg_catalog.generate_series(1, coalesce(pg_catalog.cardinality(passed), 0)) i
    ON CONFLICT (escalation_id, step_no) DO NOTHING;
    WITH tp AS (
        INSERT INTO arcollect.touchpoint (customer_id, currency, channel, status, owner, planned_for,
                                          policy_name, step_no, reason)
        SELECT (passed[i]).customer_id, (passed[i]).currency, (passed[i]).channel, (passed[i]).status,
               (passed[i]).owner, (passed[i]).planned_for, (passed[i]).policy_name, (passed[i]).step_no,
               (passed[i]).reason
          FROM pg_catalog.generate_series(1, coalesce(pg_catalog.cardinality(passed), 0)) i
          JOIN arcollect.escalation_step s ON s.escalation_id = episodes[i] AND s.step_no = (passed[i]).step_no
         WHERE s.touchpoint_id IS NULL
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
    SELECT pg_catalog.array_agg(x ORDER BY x.customer_id, x.currency, x.step_no),
           pg_catalog.array_agg(e.escalation_id ORDER BY x.customer_id, x.currency, x.step_no)
      INTO reached, episodes
      FROM unnest(reached) x
      JOIN arcollect.escalation e ON e.customer_id = x.customer_id AND e.currency = x.currency
                                 AND e.ended_on IS NULL
     WHERE x.escalation_id IS NULL OR x.escalation_id = e.escalation_id;
    INSERT INTO arcollect.escalation_step (escalation_id, step_no, days_from_due, action, channel,
                                           template_name, taken_on)
    SELECT episodes[i], (reached[i]).step_no, (reached[i]).days_from_due, (reached[i]).action,
           (reached[i]).channel, (reached[i]).template_name, apply_escalation_changes.as_of
      FROM pg_catalog.generate_series(1, coalesce(pg_catalog.cardinality(reached), 0)) i
    ON CONFLICT (escalation_id, step_no) DO NOTHING;
    SELECT pg_catalog.array_agg(y.c ORDER BY y.i), pg_catalog.array_agg(y.episode ORDER BY y.i),
           pg_catalog.array_agg(y.turn ORDER BY y.i)
      INTO todo, episodes, turns
      FROM (SELECT i, reached[i] AS c, episodes[i] AS episode,
                   pg_catalog.row_number() OVER (PARTITION BY (reached[i]).customer_id, (reached[i]).channel
                                                 ORDER BY (reached[i]).currency, (reached[i]).step_no) AS turn
              FROM pg_catalog.generate_series(1, coalesce(pg_catalog.cardinality(reached), 0)) i
              JOIN arcollect.escalation_step s ON s.escalation_id = episodes[i] AND s.step_no = (reached[i]).step_no
             WHERE s.touchpoint_id IS NULL) y;
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
      turn_idx := ARRAY(SELECT t.n FROM pg_catalog.generate_series(1, pg_catalog.cardinality(todo)) t(n)
                         WHERE turns[t.n] = this_turn ORDER BY t.n);
        SELECT pg_catalog.array_agg(d.decision ORDER BY d.request_no),
               pg_catalog.array_agg(d.planned_for ORDER BY d.request_no),
               pg_catalog.array_agg(d.reason ORDER BY d.request_no)
          INTO turn_decisions, turn_when, turn_why
          FROM arcollect.contact_decisions(ARRAY(SELECT (todo[i]).customer_id FROM unnest(turn_idx) i),
                                           ARRAY(SELECT (todo[i]).channel FROM unnest(turn_idx) i),
                                           ARRAY(SELECT wanted[i] FROM unnest(turn_idx) i)) d;
        -- the messages: of the touchpoints made, fee steps aside
        turn_subjects := pg_catalog.array_fill(NULL::text, ARRAY[pg_catalog.cardinality(turn_idx)]);
        turn_bodies := turn_subjects;
        turn_errors := turn_subjects;
        turn_rendered := pg_catalog.array_fill(false, ARRAY[pg_catalog.cardinality(turn_idx)]);
        to_render := ARRAY(SELECT j FROM pg_catalog.generate_series(1, pg_catalog.cardinality(turn_idx)) j
                            WHERE turn_decisions[j] <> 'skipped' AND (todo[turn_idx[j]]).action <> 'fee'
                            ORDER BY j);
        BEGIN
            SELECT pg_catalog.array_agg(x.subject ORDER BY x.request_no), pg_catalog.array_agg(x.body ORDER BY x.request_no),
                   pg_catalog.array_agg(x.error ORDER BY x.request_no)
              INTO rendered_subjects, rendered_bodies, rendered_errors
              FROM arcollect.touchpoint_messages(ARRAY(
                       SELECT ROW((todo[turn_idx[j]]).customer_id, names[turn_idx[j]], (todo[turn_idx[j]]).owner,
                                  (todo[turn_idx[j]]).currency, languages[turn_idx[j]], (todo[turn_idx[j]]).channel,
                                  (todo[turn_idx[j]]).template_name,
                                  (turn_when[j] AT TIME ZONE zones[turn_idx[j]])::date, (todo[turn_idx[j]]).invoices,
                                  0, 0)::arcollect.touchpoint_message
                         FROM unnest(to_render) WITH ORDINALITY r(j, k) ORDER BY r.k)) x;
            FOR k IN 1 .. coalesce(pg_catalog.cardinality(to_render), 0) LOOP
                turn_subjects[to_render[k]] := rendered_subjects[k];
                turn_bodies[to_render[k]] := rendered_bodies[k];
                turn_errors[to_render[k]] := rendered_errors[k];
                turn_rendered[to_render[k]] := true;
            END LOOP;
        EXCEPTION WHEN invalid_parameter_value THEN
            NULL;   -- each rendered on its own once written
        END;
        WITH tp AS (
            INSERT INTO arcollect.touchpoint (customer_id, currency, channel, status, owner, planned_for,
                                              policy_name, step_no, reason, subject, body)
            SELECT (todo[turn_idx[j]]).customer_id, (todo[turn_idx[j]]).currency, (todo[turn_idx[j]]).channel,
                   CASE WHEN turn_decisions[j] = 'skipped' THEN 'skipped' ELSE 'planned' END,
                   (todo[turn_idx[j]]).owner,
                   CASE WHEN turn_decisions[j] = 'skipped' THEN NULL ELSE turn_when[j] END,
                   (todo[turn_idx[j]]).policy_name, (todo[turn_idx[j]]).step_no, turn_why[j],
                   turn_subjects[j], turn_bodies[j]
              FROM pg_catalog.generate_series(1, pg_catalog.cardinality(turn_idx)) j
             ORDER BY j
            RETURNING touchpoint_id, customer_id, currency)
        -- by customer and currency (one touchpoint each in a turn), as
        -- turn_sorted below lists the turn's positions
        SELECT pg_catalog.array_agg(tp.touchpoint_id ORDER BY tp.customer_id COLLATE "C", tp.currency COLLATE "C")
          INTO turn_tps_sorted FROM tp;
        turn_sorted := ARRAY(SELECT j FROM pg_catalog.generate_series(1, pg_catalog.cardinality(turn_idx)) j
                              ORDER BY (todo[turn_idx[j]]).customer_id COLLATE "C",
                                       (todo[turn_idx[j]]).currency COLLATE "C");
        turn_tps := pg_catalog.array_fill(NULL::bigint, ARRAY[pg_catalog.cardinality(turn_idx)]);
        FOR k IN 1 .. pg_catalog.cardinality(turn_idx) LOOP
            turn_tps[turn_sorted[k]] := turn_tps_sorted[k];
        END LOOP;
        turn_n := turn_idx;
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

-- The inputs of a run as it sees them (arcollect.escalation_inputs): per
-- table of the extension, its rows, and how many of them were written by
-- a transaction from seen_before on (the oldest one running when a run
-- computed what to write) but those of own_xids (the run's own).  A row
-- written (inserted, or updated: a new version) since shows as new, one
-- deleted in a count that changed, whoever wrote it: a ledger entry, a
-- record, a customer's settings, a policy, a contact rule, a template, a
-- touchpoint logged.  The tables left out are the run's log
-- (escalation_run, escalation_inputs) and what only the messages of the
-- touchpoints planned read (touchpoint_invoice, late_fee_claim): a run
-- with nothing to plan reads neither.  NULL when it cannot tell: a table
-- the caller may not read, or seen_before more than a billion
-- transactions ago (the 32-bit transaction ids of the rows wrap around).
-- One pass over each table (count and age of xmin).
CREATE OR REPLACE FUNCTION arcollect.escalation_input_state(seen_before xid8, own_xids xid[])
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    horizon integer := pg_catalog.age(((seen_before::text::numeric % 4294967296)::bigint)::text::xid);
    state jsonb := '{}';
    t regclass;
    n bigint;
    newer bigint;
BEGIN
    IF seen_before IS NULL OR own_xids IS NULL OR horizon IS NULL OR horizon < 0 OR horizon > 1000000000
       OR pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())::text::numeric - seen_before::text::numeric
          NOT BETWEEN 0 AND 1000000000 THEN
        RETURN NULL;
    END IF;
    FOR t IN SELECT c.oid::regclass FROM pg_catalog.pg_class c
              WHERE c.relnamespace = 'arcollect'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                AND c.relname NOT IN ('escalation_run', 'escalation_inputs', 'touchpoint_invoice', 'late_fee_claim')
              ORDER BY c.relname
    LOOP
        IF NOT pg_catalog.has_table_privilege(t, 'SELECT') THEN
            RETURN NULL;
        END IF;
        -- (the run's transactions as a constant: searched by hash)
        EXECUTE format('SELECT pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE pg_catalog.age(xmin) <= %s AND NOT (xmin = ANY (%L::xid[]))) FROM %s',
                       horizon, own_xids, t)
           INTO n, newer;
        state := state || pg_catalog.jsonb_build_object(t::text, pg_catalog.jsonb_build_array(n, newer));
    END LOOP;
    RETURN state;
END
$fn$;

COMMENT ON FUNCTION arcollect.escalation_input_state(xid8, xid[]) IS
'What an escalation run reads, as it is now: per table of the extension (but the run log and what only messages read), its rows and how many were written by a transaction from seen_before on other than own_xids. NULL when it cannot tell (a table the caller may not read, seen_before too old). arcollect.run_escalations compares it with what the last run recorded (arcollect.escalation_inputs).';

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
    last arcollect.escalation_inputs;
    seen xid8;
    own xid[] := '{}';
    at_start jsonb;
    at_end jsonb;
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
    PERFORM arcollect.skip_refused_touchpoints(run);
    -- messages left unrendered by earlier runs, whose template or
    -- customer may have been fixed since
    PERFORM arcollect.render_escalation_message(s.touchpoint_id)
       FROM arcollect.escalation_step s
       JOIN arcollect.touchpoint t ON t.touchpoint_id = s.touchpoint_id
      WHERE s.render_error IS NOT NULL AND t.status = 'planned';
    COMMIT;

    -- Nothing changed since the last complete run of this day (by this
    -- role, with this version): it left nothing to do, so neither is
    -- there now.  Any row written since by anyone else, or deleted, any
    -- other date, and the run computes (arcollect.escalation_input_state).
    SELECT * INTO last FROM arcollect.escalation_inputs i ORDER BY i.run_id DESC LIMIT 1;
    IF last.as_of = as_of AND last.run_by = current_user
       AND last.version = (SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname = 'arcollect')
       AND arcollect.escalation_input_state(last.seen_before, last.own_xids) = last.row_counts THEN
        UPDATE arcollect.escalation_run r SET status = 'done', finished_at = pg_catalog.clock_timestamp()
         WHERE r.run_id = run;
        COMMIT;
        PERFORM pg_catalog.pg_advisory_unlock(lock_key);
        RETURN;
    END IF;

    -- what the tables hold before the preview reads them: anything
    -- written from here on by another is new to this run
    seen := pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot());
    at_start := arcollect.escalation_input_state(seen, '{}');
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
        own := own || ((pg_catalog.pg_current_xact_id()::text::numeric % 4294967296)::bigint)::text::xid;
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
    own := own || ((pg_catalog.pg_current_xact_id()::text::numeric % 4294967296)::bigint)::text::xid;
    COMMIT;

    -- What this run leaves, for the next one of the day: recorded when
    -- nobody else wrote meanwhile (no row new to the run, and every
    -- table the run does not write holds as many rows as before the
    -- preview; a row of those it writes that another deletes meanwhile
    -- is not seen), so that it is what the run planned from.
    at_end := arcollect.escalation_input_state(seen, own);
    DELETE FROM arcollect.escalation_inputs;
    IF at_end IS NOT NULL AND at_start IS NOT NULL
       AND NOT EXISTS (SELECT FROM pg_catalog.jsonb_each(at_end) e
                         FULL JOIN pg_catalog.jsonb_each(at_start) b ON b.key = e.key
                        WHERE e.key IS NULL OR b.key IS NULL OR (e.value ->> 1)::bigint > 0
                           OR (e.key NOT IN ('arcollect.escalation', 'arcollect.escalation_step', 'arcollect.touchpoint',
                                             'arcollect.credit_hold')
                               AND e.value ->> 0 <> b.value ->> 0)) THEN
        INSERT INTO arcollect.escalation_inputs (run_id, as_of, run_by, version, seen_before, own_xids, row_counts)
        VALUES (run, as_of, current_user,
                (SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname = 'arcollect'), seen, own, at_end);
    END IF;

    DROP TABLE pg_temp.arcollect_escalation_changes;
    UPDATE arcollect.escalation_run r SET status = 'done', finished_at = pg_catalog.clock_timestamp()
     WHERE r.run_id = run;
    COMMIT;
    PERFORM pg_catalog.pg_advisory_unlock(lock_key);
END
$pr$;

COMMENT ON PROCEDURE arcollect.run_escalations(date, integer) IS
'Advances every customer whose next step has come due as of as_of (CALL it at top level; pg_cron: CALL arcollect.run_escalations()): settles plans and promises for the date, then writes what arcollect.preview_escalations(as_of) lists, batch_size customers per committed batch, and records the run in arcollect.escalation_run. Idempotent; a second run while one is running returns at once with a NOTICE; does nothing on a standby; a run killed midway is finished by the next.';

REVOKE ALL ON arcollect.escalation_run, arcollect.escalation, arcollect.escalation_step, arcollect.escalation_inputs
    FROM PUBLIC;
REVOKE ALL ON SEQUENCE arcollect.escalation_run_run_id_seq, arcollect.escalation_escalation_id_seq FROM PUBLIC;
