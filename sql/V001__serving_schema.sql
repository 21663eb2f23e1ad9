-- Serving schema: the tables the hourly gold sync (Fabric Data Pipeline, upsert) writes into and the service reads.
-- CREATE SCHEMA must be alone in its batch, hence EXEC; the guard keeps the script safe to run twice.
IF SCHEMA_ID(N'serving') IS NULL
    EXEC (N'CREATE SCHEMA serving AUTHORIZATION dbo');
GO
