import type { TokenCredential } from "@azure/identity";
import sql from "mssql";
import type { AppliedMigration, MigrationExecutor, MigrationScript } from "./migration-types";
import { splitSqlBatches } from "./sql-batches";
import { SQL_CREATE_HISTORY_BATCH, SQL_HISTORY_EXISTS_QUERY, SQL_READ_HISTORY_QUERY, SQL_RECORD_STATEMENT } from "./sql-history";

/** Entra ID scope of Azure SQL Database. */
export const AZURE_SQL_TOKEN_SCOPE = "https://database.windows.net/.default";

export interface SqlExecutorOptions {
  /** Server FQDN, e.g. `sql-learner-dev.database.windows.net`. */
  readonly server: string;
  readonly database: string;
  /** The token is requested for `https://database.windows.net/.default`; no SQL password exists anywhere. */
  readonly credential: TokenCredential;
  /** @default 1433 */
  readonly port?: number;
}

/** Runs T-SQL migrations through `mssql` with an Entra access token: each script's GO batches run in one transaction. */
export function createSqlExecutor(options: SqlExecutorOptions): MigrationExecutor {
  let pool: sql.ConnectionPool | null = null;

  async function connect(): Promise<sql.ConnectionPool> {
    if (pool) return pool;
    const token = await options.credential.getToken(AZURE_SQL_TOKEN_SCOPE);
    if (!token) throw new Error(`no Entra token for ${AZURE_SQL_TOKEN_SCOPE}; sign in (az login) or give the pipeline identity access`);
    pool = await new sql.ConnectionPool({
      server: options.server,
      port: options.port ?? 1433,
      database: options.database,
      options: { encrypt: true, trustServerCertificate: false },
      authentication: { type: "azure-active-directory-access-token", options: { token: token.token } },
    }).connect();
    return pool;
  }

  return {
    dialect: "sql",
    target: `${options.server}/${options.database}`,
    async historyExists() {
      const result = await (await connect()).request().query<{ HistoryExists: number }>(SQL_HISTORY_EXISTS_QUERY);
      return result.recordset[0]?.HistoryExists === 1;
    },
    async createHistory() {
      await (await connect()).request().batch(SQL_CREATE_HISTORY_BATCH);
    },
    async listApplied(): Promise<AppliedMigration[]> {
      const result = await (await connect()).request().query(SQL_READ_HISTORY_QUERY);
      return result.recordset.map((row: Record<string, unknown>) => ({
        type: row.Type === "repeatable" ? "repeatable" : "versioned",
        version: row.Version === null ? null : String(row.Version),
        description: String(row.Description),
        fileName: String(row.Script),
        checksum: String(row.Checksum),
        appliedAt: row.AppliedAt as Date,
        appliedBy: String(row.AppliedBy),
        success: row.Success === true,
        executionTimeMs: Number(row.ExecutionTimeMs),
      }));
    },
    async apply(script: MigrationScript, text: string) {
      const transaction = new sql.Transaction(await connect());
      await transaction.begin();
      const batches = splitSqlBatches(text);
      for (const [i, batch] of batches.entries()) {
        try {
          await new sql.Request(transaction).batch(batch);
        } catch (error) {
          // With XACT_ABORT the server may already have rolled back; the batch's own error is the one to report.
          await transaction.rollback().catch(() => undefined);
          throw new Error(`${script.fileName} batch ${i + 1} of ${batches.length}: ${(error as Error).message}`);
        }
      }
      await transaction.commit();
    },
    async record(entry: AppliedMigration) {
      await (await connect())
        .request()
        .input("version", sql.NVarChar(50), entry.version)
        .input("description", sql.NVarChar(200), entry.description)
        .input("type", sql.NVarChar(20), entry.type)
        .input("script", sql.NVarChar(260), entry.fileName)
        .input("checksum", sql.Char(64), entry.checksum)
        .input("appliedAt", sql.DateTime2(3), entry.appliedAt)
        .input("appliedBy", sql.NVarChar(128), entry.appliedBy)
        .input("success", sql.Bit, entry.success)
        .input("executionTimeMs", sql.Int, entry.executionTimeMs)
        .query(SQL_RECORD_STATEMENT);
    },
    describeCreateHistory: () => [SQL_CREATE_HISTORY_BATCH],
    describeApply: (_script: MigrationScript, text: string) => splitSqlBatches(text),
    async close() {
      await pool?.close();
      pool = null;
    },
  };
}
