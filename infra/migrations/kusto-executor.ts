import type { TokenCredential } from "@azure/identity";
import { Client, KustoConnectionStringBuilder } from "azure-kusto-data";
import {
  KUSTO_CREATE_HISTORY_COMMAND,
  KUSTO_HISTORY_TABLE,
  KUSTO_READ_HISTORY_QUERY,
  KUSTO_SHOW_TABLES_COMMAND,
  kustoHistoryRow,
  kustoRecordCommand,
  kustoScriptCommand,
} from "./kusto-history";
import type { AppliedMigration, MigrationExecutor, MigrationScript } from "./migration-types";

export interface KustoExecutorOptions {
  /** The Eventhouse query URI (`queryServiceUri`), e.g. `https://trd-xyz.z0.kusto.fabric.microsoft.com`. */
  readonly clusterUri: string;
  readonly database: string;
  /** Any `@azure/identity` credential (DefaultAzureCredential, a managed identity, the pipeline's federated identity). */
  readonly credential: TokenCredential;
}

interface ResultTable {
  rows(): Iterable<{ toJSON(): Record<string, unknown> }>;
}

function primaryRows(response: { primaryResults: ResultTable[] }): Record<string, unknown>[] {
  const table = response.primaryResults[0];
  return table ? [...table.rows()].map((row) => row.toJSON()) : [];
}

/** Kusto errors from axios carry the service's `{ error: { message, @message } }` body; surface that, not the HTTP noise. */
function kustoErrorMessage(error: unknown): string {
  const body = (error as { response?: { data?: { error?: { message?: string; "@message"?: string } } } }).response?.data?.error;
  if (body) return body["@message"] ?? body.message ?? JSON.stringify(body);
  return (error as Error).message;
}

/** Runs KQL migrations with `azure-kusto-data` against one database: the history lives in `MigrationHistory`. */
export function createKustoExecutor(options: KustoExecutorOptions): MigrationExecutor {
  const { database } = options;
  const client = new Client(KustoConnectionStringBuilder.withTokenCredential(options.clusterUri, options.credential));

  async function mgmt(command: string): Promise<Record<string, unknown>[]> {
    try {
      return primaryRows(await client.executeMgmt(database, command));
    } catch (error) {
      throw new Error(kustoErrorMessage(error));
    }
  }

  return {
    dialect: "kql",
    target: `${options.clusterUri}/${database}`,
    async historyExists() {
      const tables = await mgmt(KUSTO_SHOW_TABLES_COMMAND);
      return tables.some((row) => row.TableName === KUSTO_HISTORY_TABLE);
    },
    async createHistory() {
      await mgmt(KUSTO_CREATE_HISTORY_COMMAND);
    },
    async listApplied(): Promise<AppliedMigration[]> {
      try {
        return primaryRows(await client.executeQuery(database, KUSTO_READ_HISTORY_QUERY)).map(kustoHistoryRow);
      } catch (error) {
        throw new Error(`reading ${KUSTO_HISTORY_TABLE}: ${kustoErrorMessage(error)}`);
      }
    },
    async apply(_script: MigrationScript, text: string) {
      const rows = await mgmt(kustoScriptCommand(text));
      // ThrowOnErrors should turn any failure into an error response; check each row anyway so nothing fails silently.
      const failed = rows.filter((row) => row.Result !== "Completed" && row.Result !== "Skipped");
      if (failed.length > 0) {
        throw new Error(failed.map((row) => `${row.Result}: ${String(row.CommandText).split("\n")[0]}: ${row.Reason}`).join("; "));
      }
      if (rows.length === 0) throw new Error("the script produced no result rows; expected one per command");
    },
    async record(entry: AppliedMigration) {
      await mgmt(kustoRecordCommand(entry));
    },
    describeCreateHistory: () => [KUSTO_CREATE_HISTORY_COMMAND],
    describeApply: (_script: MigrationScript, text: string) => [kustoScriptCommand(text)],
    async close() {
      client.close();
    },
  };
}
