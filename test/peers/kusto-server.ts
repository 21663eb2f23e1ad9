import { randomUUID } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KUSTO_HISTORY_COLUMNS, KUSTO_HISTORY_TABLE } from "../../infra/migrations/kusto-history";
import { listenOnLoopback } from "./listen-on-loopback";
import { readRequestBody } from "./read-request-body";

/**
 * A local stand-in for a Kusto (Eventhouse) cluster's REST endpoints, following the documented contract:
 * `POST /v1/rest/mgmt` (v1 frames), `POST /v2/rest/query` (v2 frames), `GET /v1/rest/auth/metadata` (404, so the
 * SDK uses public-cloud defaults), errors as `{ error: { code, message, @type, @message, @permanent } }`.
 * It understands the migration engine's history commands, runs `.execute database script` by splitting it into
 * commands (one result row each), and records every request so tests can assert exactly what was sent.
 */

export type RecordedCommandKind = "show-tables" | "history-create" | "history-read" | "history-write" | "script" | "other";

export interface RecordedCommand {
  readonly endpoint: "mgmt" | "query";
  readonly database: string;
  readonly text: string;
  readonly kind: RecordedCommandKind;
  /** Whether the request carried `Authorization: Bearer <token>` (the token itself is not kept). */
  readonly authorized: boolean;
}

export interface HistoryRowValues {
  readonly [column: string]: string | boolean | number;
}

export interface FailScriptOptions {
  /**
   * `error`: the whole request fails with HTTP 400 (what ThrowOnErrors=true does).
   * `row`: HTTP 200, but the matching command's row says `Failed` (what ContinueOnErrors=true does).
   * @default "error"
   */
  readonly mode?: "error" | "row";
  /** @default "Simulated failure" */
  readonly reason?: string;
}

export interface KustoContractServer {
  /** Cluster URI to pass to the SDK, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly commands: RecordedCommand[];
  /** Rows of the history table, in insertion order. */
  readonly historyRows: HistoryRowValues[];
  /** Tables created by scripts or history commands, by name. */
  readonly tables: ReadonlySet<string>;
  /** The next `.execute database script` whose text contains `text` fails (once). */
  failNextScriptContaining(text: string, options?: FailScriptOptions): void;
  close(): Promise<void>;
}

export interface KustoContractServerOptions {
  /** Only this database name is accepted; others get a 404 `EntityNotFound`. @default - any */
  readonly database?: string;
  /** Port on 127.0.0.1. @default 0 (a free port) */
  readonly port?: number;
}

interface PendingFailure {
  readonly text: string;
  readonly mode: "error" | "row";
  readonly reason: string;
}

interface V1Column {
  readonly ColumnName: string;
  readonly DataType: string;
  readonly ColumnType: string;
}

const DATA_TYPES: Record<string, string> = { string: "String", datetime: "DateTime", bool: "Boolean", long: "Int64", int: "Int32", guid: "Guid" };

function columns(spec: readonly (readonly [string, string])[]): V1Column[] {
  return spec.map(([name, type]) => ({ ColumnName: name, DataType: DATA_TYPES[type] ?? "String", ColumnType: type }));
}

function v1Table(spec: readonly (readonly [string, string])[], rows: unknown[][]) {
  return { Tables: [{ TableName: "Table_0", Columns: columns(spec), Rows: rows }] };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, code: string, type: string, message: string): void {
  sendJson(res, status, { error: { code, message: "Request is invalid and cannot be executed.", "@type": type, "@message": message, "@context": {}, "@permanent": true } });
}


/** Reads `Name = literal, ...` after `print`: KQL string literals, `datetime(...)`, `long(...)`, `true`/`false`. */
export function parsePrintAssignments(text: string): Record<string, string | boolean | number> {
  const values: Record<string, string | boolean | number> = {};
  const pattern = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*"|datetime\([^)]*\)|long\(-?\d+\)|true|false)\s*(,|$)/y;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = pattern.exec(text)) !== null) {
    const [, name, literal] = match;
    if (literal.startsWith('"')) values[name] = JSON.parse(literal.replace(/\\'/g, "'"));
    else if (literal.startsWith("datetime(")) values[name] = new Date(literal.slice(9, -1)).toISOString();
    else if (literal.startsWith("long(")) values[name] = Number(literal.slice(5, -1));
    else values[name] = literal === "true";
    consumed = pattern.lastIndex;
    if (match[3] === "") break;
  }
  if (consumed !== text.length) throw new Error(`cannot read print assignments at: ${text.slice(consumed, consumed + 40)}`);
  return values;
}

/** Splits a control-commands script the way Kusto does: each command starts with `.` at the start of a line; `//` comment lines are dropped. */
export function splitControlCommands(script: string): string[] {
  const commands: string[] = [];
  for (const line of script.split("\n")) {
    if (line.trimStart().startsWith("//")) continue;
    if (line.startsWith(".")) commands.push(line);
    else if (commands.length > 0) commands[commands.length - 1] += `\n${line}`;
    else if (line.trim() !== "") throw new Error(`text before the first command: ${line.trim()}`);
  }
  return commands.map((c) => c.trimEnd());
}

function commandType(command: string): string {
  const [verb, noun] = command.slice(1).split(/\s+/);
  return `${noun ?? ""} ${verb ?? ""}`.trim();
}

const CREATED_TABLE = /^\.(?:create|create-merge)\s+(?:async\s+)?(?:ifnotexists\s+)?table\s+\[?'?([A-Za-z_][A-Za-z0-9_]*)/;

export async function startKustoContractServer(options: KustoContractServerOptions = {}): Promise<KustoContractServer> {
  const commands: RecordedCommand[] = [];
  const historyRows: HistoryRowValues[] = [];
  const tables = new Set<string>();
  const failures: PendingFailure[] = [];

  function handleMgmt(res: ServerResponse, csl: string, record: (kind: RecordedCommandKind) => void): void {
    const command = csl.trim();
    if (command === ".show tables") {
      record("show-tables");
      const rows = [...tables].sort().map((name) => [name, options.database ?? "", "", ""]);
      sendJson(res, 200, v1Table([["TableName", "string"], ["DatabaseName", "string"], ["Folder", "string"], ["DocString", "string"]], rows));
      return;
    }
    if (command.startsWith(`.create-merge table ${KUSTO_HISTORY_TABLE} `)) {
      record("history-create");
      tables.add(KUSTO_HISTORY_TABLE);
      const schema = KUSTO_HISTORY_COLUMNS.map(([n, t]) => `${n}:${t}`).join(", ");
      sendJson(res, 200, v1Table([["TableName", "string"], ["Schema", "string"], ["DatabaseName", "string"], ["Folder", "string"], ["DocString", "string"]], [[KUSTO_HISTORY_TABLE, schema, options.database ?? "", "migrations", ""]]));
      return;
    }
    const append = new RegExp(`^\\.set-or-append\\s+${KUSTO_HISTORY_TABLE}\\s+<\\|\\s*print\\s+`).exec(command);
    if (append) {
      record("history-write");
      if (!tables.has(KUSTO_HISTORY_TABLE)) {
        // .set-or-append would create the table with the print's schema; the engine must create it first, so refuse.
        sendError(res, 400, "BadRequest_EntityNotFound", "Kusto.Data.Exceptions.EntityNotFoundException", `Table '${KUSTO_HISTORY_TABLE}' was not found`);
        return;
      }
      let row: Record<string, string | boolean | number>;
      try {
        row = parsePrintAssignments(command.slice(append[0].length));
      } catch (error) {
        sendError(res, 400, "BadRequest_SyntaxError", "Kusto.Data.Exceptions.SyntaxException", `Syntax error: ${(error as Error).message}`);
        return;
      }
      const expected = KUSTO_HISTORY_COLUMNS.map(([n]) => n).join(",");
      if (Object.keys(row).join(",") !== expected) {
        sendError(res, 400, "BadRequest_BadRequest", "Kusto.Data.Exceptions.BadRequestException", `Query schema does not match table '${KUSTO_HISTORY_TABLE}': got ${Object.keys(row).join(",")}, expected ${expected}`);
        return;
      }
      historyRows.push(row);
      sendJson(res, 200, v1Table([["ExtentId", "guid"], ["OriginalSize", "long"], ["ExtentSize", "long"], ["RowCount", "long"]], [[randomUUID(), 200, 200, 1]]));
      return;
    }
    const script = /^\.execute\s+database\s+script\s+with\s*\(\s*ThrowOnErrors\s*=\s*true\s*\)\s*<\|\s*\n/i.exec(command);
    if (script) {
      record("script");
      runScript(res, command.slice(script[0].length));
      return;
    }
    record("other");
    sendError(res, 400, "BadRequest_SyntaxError", "Kusto.Data.Exceptions.SyntaxException", `Syntax error: the contract server does not support this command: ${command.split("\n")[0]}`);
  }

  function runScript(res: ServerResponse, scriptText: string): void {
    let scriptCommands: string[];
    try {
      scriptCommands = splitControlCommands(scriptText);
    } catch (error) {
      sendError(res, 400, "BadRequest_SyntaxError", "Kusto.Data.Exceptions.SyntaxException", `Syntax error: ${(error as Error).message}`);
      return;
    }
    const failureIndex = failures.findIndex((f) => scriptText.includes(f.text));
    const failure = failureIndex >= 0 ? failures.splice(failureIndex, 1)[0] : null;
    const failingCommand = failure ? Math.max(0, scriptCommands.findIndex((c) => c.includes(failure.text))) : -1;
    if (failure && failure.mode === "error") {
      // ThrowOnErrors=true: commands before the failing one have run (there is no rollback).
      scriptCommands.slice(0, failingCommand).forEach(applyCommand);
      sendError(res, 400, "BadRequest_BadRequest", "Kusto.Data.Exceptions.KustoBadRequestException", `${failure.reason}: ${scriptCommands[failingCommand]?.split("\n")[0] ?? ""}`);
      return;
    }
    const rows = scriptCommands.map((command, i) => {
      const failed = i === failingCommand;
      if (!failed) applyCommand(command);
      return [randomUUID(), commandType(command), command, failed ? "Failed" : "Completed", failed ? failure?.reason ?? "" : ""];
    });
    sendJson(res, 200, v1Table([["OperationId", "guid"], ["CommandType", "string"], ["CommandText", "string"], ["Result", "string"], ["Reason", "string"]], rows));
  }

  function applyCommand(command: string): void {
    const created = CREATED_TABLE.exec(command);
    if (created) tables.add(created[1]);
  }

  function handleQuery(res: ServerResponse, csl: string, record: (kind: RecordedCommandKind) => void): void {
    if (csl.trim() !== KUSTO_HISTORY_TABLE) {
      record("other");
      sendError(res, 400, "General_BadRequest", "Kusto.Data.Exceptions.KustoBadRequestException", `the contract server answers only the history read '${KUSTO_HISTORY_TABLE}'`);
      return;
    }
    record("history-read");
    if (!tables.has(KUSTO_HISTORY_TABLE)) {
      sendError(res, 400, "General_BadRequest", "Kusto.Data.Exceptions.SemanticException", `Semantic error: SEM0100: 'table' operator: Failed to resolve table expression named '${KUSTO_HISTORY_TABLE}'`);
      return;
    }
    const spec = KUSTO_HISTORY_COLUMNS;
    sendJson(res, 200, [
      { FrameType: "DataSetHeader", IsProgressive: false, Version: "v2.0" },
      {
        FrameType: "DataTable",
        TableId: 0,
        TableKind: "PrimaryResult",
        TableName: "PrimaryResult",
        Columns: spec.map(([name, type]) => ({ ColumnName: name, ColumnType: type })),
        Rows: historyRows.map((row) => spec.map(([name]) => row[name])),
      },
      { FrameType: "DataSetCompletion", HasErrors: false, Cancelled: false },
    ]);
  }

  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? "").split("?")[0];
      if (req.method === "GET" && path === "/v1/rest/auth/metadata") {
        sendJson(res, 404, { error: { code: "NotFound", message: "no auth metadata on the contract server" } });
        return;
      }
      const endpoint = req.method === "POST" && path === "/v1/rest/mgmt" ? "mgmt" : req.method === "POST" && path === "/v2/rest/query" ? "query" : null;
      if (!endpoint) {
        sendError(res, 404, "NotFound", "Kusto.Common.Svc.Exceptions.NotFoundException", `no such endpoint: ${req.method} ${path}`);
        return;
      }
      const authorized = /^Bearer \S+$/.test(req.headers.authorization ?? "");
      let body: { db?: string; csl?: string };
      try {
        body = JSON.parse(await readRequestBody(req)) as { db?: string; csl?: string };
      } catch {
        sendError(res, 400, "BadRequest_InvalidJson", "Kusto.Data.Exceptions.BadRequestException", "request body is not JSON");
        return;
      }
      const database = body.db ?? "";
      const csl = (body.csl ?? "").replace(/\r\n/g, "\n");
      const record = (kind: RecordedCommandKind): void => {
        commands.push({ endpoint, database, text: csl, kind, authorized });
      };
      if (!authorized) {
        record("other");
        sendError(res, 401, "Unauthorized", "Kusto.Common.Svc.Exceptions.UnauthorizedOperationException", "missing bearer token");
        return;
      }
      if (options.database !== undefined && database !== options.database) {
        record("other");
        sendError(res, 404, "BadRequest_EntityNotFound", "Kusto.Data.Exceptions.EntityNotFoundException", `Database '${database}' was not found`);
        return;
      }
      if (endpoint === "mgmt") handleMgmt(res, csl, record);
      else handleQuery(res, csl, record);
    })().catch((error: unknown) => sendError(res, 500, "Internal", "Kusto.Common.Svc.Exceptions.InternalException", String(error)));
  });

  await listenOnLoopback(server, options.port ?? 0);
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    commands,
    historyRows,
    tables,
    failNextScriptContaining(text, failOptions = {}) {
      failures.push({ text, mode: failOptions.mode ?? "error", reason: failOptions.reason ?? "Simulated failure" });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
