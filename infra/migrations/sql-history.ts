/** The history table the engine keeps in the target Azure SQL database. */
export const SQL_HISTORY_TABLE = "dbo.MigrationHistory";

export const SQL_HISTORY_EXISTS_QUERY = `SELECT CASE WHEN OBJECT_ID(N'${SQL_HISTORY_TABLE}', N'U') IS NULL THEN 0 ELSE 1 END AS HistoryExists`;

export const SQL_CREATE_HISTORY_BATCH = `IF OBJECT_ID(N'${SQL_HISTORY_TABLE}', N'U') IS NULL
CREATE TABLE ${SQL_HISTORY_TABLE} (
  Id int IDENTITY(1, 1) NOT NULL CONSTRAINT PK_MigrationHistory PRIMARY KEY,
  Version nvarchar(50) NULL,
  Description nvarchar(200) NOT NULL,
  Type nvarchar(20) NOT NULL,
  Script nvarchar(260) NOT NULL,
  Checksum char(64) NOT NULL,
  AppliedAt datetime2(3) NOT NULL,
  AppliedBy nvarchar(128) NOT NULL,
  Success bit NOT NULL,
  ExecutionTimeMs int NOT NULL
);`;

export const SQL_READ_HISTORY_QUERY = `SELECT Version, Description, Type, Script, Checksum, AppliedAt, AppliedBy, Success, ExecutionTimeMs FROM ${SQL_HISTORY_TABLE} ORDER BY Id`;

export const SQL_RECORD_STATEMENT = `INSERT INTO ${SQL_HISTORY_TABLE} (Version, Description, Type, Script, Checksum, AppliedAt, AppliedBy, Success, ExecutionTimeMs)
VALUES (@version, @description, @type, @script, @checksum, @appliedAt, @appliedBy, @success, @executionTimeMs)`;
