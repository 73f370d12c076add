-- The data the operational tests escalate: :customers customers (psql
-- variable), each with a EUR invoice between 0 and 119 days overdue as of
-- :'as_of' (so that every step of the default ladder is reached, most of
-- them by catching up over the steps passed), every third customer with
-- a USD invoice too (a second escalation of its own), every tenth with an
-- earlier partial payment.  Run as a superuser in a database with
-- nothing but the extension; the tables are ops_bill and ops_pay.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE TABLE public.ops_bill (id text PRIMARY KEY, cust text NOT NULL, amount numeric NOT NULL,
                              issued date NOT NULL, due date NOT NULL, cur text NOT NULL);
CREATE TABLE public.ops_pay (id serial PRIMARY KEY, invoice text NOT NULL, amount numeric NOT NULL,
                             paid_on date NOT NULL);
SELECT arcollect.attach('public.ops_bill', key => 'id', customer => 'cust', amount => 'amount',
                        due_on => 'due', issued_on => 'issued', currency => 'cur') IS NOT NULL AS attached;
SELECT arcollect.attach_payments('public.ops_pay', invoice_key => 'invoice', amount => 'amount',
                                 paid_on => 'paid_on', invoices => 'public.ops_bill') IS NOT NULL AS attached;
INSERT INTO public.ops_bill
SELECT format('OPS%s-EUR', i), format('ops%s', pg_catalog.lpad(i::text, 5, '0')), 1000 + i,
       :'as_of'::date - 150, :'as_of'::date - i % 120, 'EUR'
  FROM pg_catalog.generate_series(1, :customers) i;
INSERT INTO public.ops_bill
SELECT format('OPS%s-USD', i), format('ops%s', pg_catalog.lpad(i::text, 5, '0')), 500 + i,
       :'as_of'::date - 150, :'as_of'::date - (i * 7) % 120, 'USD'
  FROM pg_catalog.generate_series(3, :customers, 3) i;
INSERT INTO public.ops_pay (invoice, amount, paid_on)
SELECT format('OPS%s-EUR', i), 100, :'as_of'::date - 1
  FROM pg_catalog.generate_series(10, :customers, 10) i;
