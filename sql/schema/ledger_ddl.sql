-- The event triggers that keep attachments in step with DDL on attached
-- tables; their functions are in sql/code/ledger_ddl.sql.

CREATE EVENT TRIGGER arcollect_dropped_tables ON sql_drop
    EXECUTE FUNCTION arcollect._forget_dropped_tables();

CREATE EVENT TRIGGER arcollect_partitions ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
    EXECUTE FUNCTION arcollect._follow_partitions();

-- Before every command the two above follow, and every DROP that can take
-- a table, an index or a column of an attached table along: what the
-- command may remove or rename, noted while the catalogs still show it.
CREATE EVENT TRIGGER arcollect_ddl_snapshot ON ddl_command_start
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE', 'DROP TABLE', 'DROP INDEX', 'DROP SCHEMA',
                 'DROP OWNED', 'DROP TYPE', 'DROP DOMAIN', 'DROP EXTENSION', 'DROP FUNCTION',
                 'DROP PROCEDURE', 'DROP ROUTINE')
    EXECUTE FUNCTION arcollect._ddl_snapshot();
