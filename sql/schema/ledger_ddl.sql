-- The event triggers that keep attachments in step with DDL on attached
-- tables; their functions are in sql/code/ledger_ddl.sql.

CREATE EVENT TRIGGER arcollect_dropped_tables ON sql_drop
    EXECUTE FUNCTION arcollect._forget_dropped_tables();

CREATE EVENT TRIGGER arcollect_partitions ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
    EXECUTE FUNCTION arcollect._follow_partitions();
