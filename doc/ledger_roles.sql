-- read-only BI role: every view and table but quarantine
SELECT arcollect.grant_access('bi_reader', 'reader');
-- collectors: read, and record touchpoints, disputes, promises and plans
SELECT arcollect.grant_access('collector', 'collector');
-- admins: all of that, and attach tables, look after quarantine, edit
-- policies, contact rules and templates, run the escalation
SELECT arcollect.grant_access('ar_admin', 'admin');
