-- What no escalation run may leave behind, finished, killed midway or
-- beside another: one line per thing wrong, nothing when all is well.
-- Each batch of a run is one transaction, so whatever a killed run
-- committed is whole: a step recorded once in its episode (the primary
-- key of arcollect.escalation_step) with its one touchpoint, a planned
-- step's touchpoint listing its invoices, the steps passed over recorded
-- with it, the episode saying the highest step it took.
\set ON_ERROR_STOP 1
-- every ladder touchpoint carried by exactly one step, of its customer,
-- currency and step number
SELECT format('touchpoint %s (%s %s step %s) is carried by %s steps', t.touchpoint_id, t.customer_id,
              t.currency, t.step_no, count(s.escalation_id))
  FROM arcollect.touchpoint t
  LEFT JOIN arcollect.escalation_step s ON s.touchpoint_id = t.touchpoint_id
  LEFT JOIN arcollect.escalation e ON e.escalation_id = s.escalation_id AND e.customer_id = t.customer_id
                                  AND e.currency = t.currency AND s.step_no = t.step_no
 WHERE t.policy_name IS NOT NULL
 GROUP BY t.touchpoint_id
HAVING count(e.escalation_id) <> 1 OR count(s.escalation_id) <> 1;
-- every step with its touchpoint
SELECT format('step %s of escalation %s has no touchpoint', s.step_no, s.escalation_id)
  FROM arcollect.escalation_step s
 WHERE NOT EXISTS (SELECT FROM arcollect.touchpoint t WHERE t.touchpoint_id = s.touchpoint_id);
-- a step reached (not passed over) lists the invoices it is about
SELECT format('touchpoint %s (%s %s step %s) lists no invoice', t.touchpoint_id, t.customer_id, t.currency,
              t.step_no)
  FROM arcollect.touchpoint t
 WHERE t.policy_name IS NOT NULL AND t.reason IS DISTINCT FROM 'superseded'
   AND NOT EXISTS (SELECT FROM arcollect.touchpoint_invoice i WHERE i.touchpoint_id = t.touchpoint_id);
-- an episode took its steps 1 to step_no, each once (the default ladder's
-- steps apply from any amount, so a catch-up records every step passed)
SELECT format('escalation %s (%s %s) is at step %s with steps %s', e.escalation_id, e.customer_id, e.currency,
              e.step_no, (SELECT pg_catalog.array_agg(s.step_no ORDER BY s.step_no)
                            FROM arcollect.escalation_step s WHERE s.escalation_id = e.escalation_id))
  FROM arcollect.escalation e
 WHERE (SELECT pg_catalog.array_agg(s.step_no ORDER BY s.step_no)
          FROM arcollect.escalation_step s WHERE s.escalation_id = e.escalation_id)
       IS DISTINCT FROM (SELECT pg_catalog.array_agg(g) FROM pg_catalog.generate_series(1, e.step_no) g);
-- one open episode per customer and currency
SELECT format('%s %s has %s open escalations', e.customer_id, e.currency, count(*))
  FROM arcollect.escalation e WHERE e.ended_on IS NULL
 GROUP BY e.customer_id, e.currency HAVING count(*) > 1;
