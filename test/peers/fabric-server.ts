import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { listenOnLoopback } from "./listen-on-loopback";
import { readRequestBody } from "./read-request-body";

/**
 * A local Fabric REST contract server: items (create, list with continuation, getDefinition, updateDefinition,
 * PATCH, delete), KQL database properties, connections and long-running operations, following the documented
 * wire contract (202 + Location + x-ms-operation-id + Retry-After, error bodies, 401 TokenExpired, 429).
 * It records every request (never the bearer token) so tests can assert what a client sent.
 */
export interface FabricServerOptions {
  /** The one workspace this server knows. @default a random GUID */
  readonly workspaceId?: string;
  /** Bearer tokens accepted. @default ["fabric-test-token"] */
  readonly acceptedTokens?: readonly string[];
  /** Items or connections per list page, to exercise continuation. @default 2 */
  readonly pageSize?: number;
  /** Polls answering Running before an operation succeeds. @default 1 */
  readonly runningPolls?: number;
  /** Retry-After seconds on 202 and polls. @default 0 */
  readonly retryAfterSeconds?: number;
  /** queryServiceUri reported for every KQL database and Eventhouse. @default https://trd-test.z0.kusto.fabric.microsoft.com */
  readonly kustoQueryServiceUri?: string;
  /** After a delete, how many create attempts with the same name get 400 ItemDisplayNameNotAvailableYet. @default 0 */
  readonly nameReservedAttempts?: number;
  /** Port on 127.0.0.1. @default 0 (a free port) */
  readonly port?: number;
}

export interface RecordedFabricRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly body: unknown;
  readonly status: number;
}

export interface StoredFabricItem {
  readonly id: string;
  readonly workspaceId: string;
  readonly type: string;
  displayName: string;
  description: string;
  parts: { path: string; text: string }[];
  /** Job Scheduler schedules of the item; deleted with it. */
  schedules: StoredSchedule[];
}

export interface StoredSchedule {
  readonly id: string;
  readonly jobType: string;
  enabled: boolean;
  configuration: Record<string, unknown>;
}

export interface StoredConnection {
  readonly id: string;
  readonly displayName: string;
  readonly type: string;
  readonly creationMethod: string;
  readonly parameters: Record<string, string>;
  readonly credentialType: string;
  /** What the client sent as credentials, kept so tests can check where a secret came from (never returned by the API). */
  readonly credentials: Readonly<Record<string, unknown>>;
}

export interface InjectedFault {
  readonly method?: string;
  /** Matches when the request path contains this text. */
  readonly pathContains?: string;
  readonly status: number;
  readonly errorCode?: string;
  readonly retryAfterSeconds?: number;
  readonly isRetriable?: boolean;
  /** How many matching requests fail. @default 1 */
  readonly times?: number;
  /** Matching requests let through before the fault starts, to fail half-way through a run. @default 0 */
  readonly skip?: number;
  /** The error message quotes the request body, as validation errors of real services sometimes do. */
  readonly echoRequestBody?: boolean;
}

/** A Fabric capacity as GET /v1/capacities lists it. */
export interface FabricCapacity {
  readonly id: string;
  readonly displayName: string;
  readonly sku: string;
  readonly region: string;
  /** Active, Inactive (paused), ... */
  readonly state: string;
}

/** A workspace role assignment as GET /v1/workspaces/{id}/roleAssignments lists it. */
export interface FabricWorkspaceRole {
  readonly principalId: string;
  readonly principalType: "User" | "Group" | "ServicePrincipal";
  readonly role: "Admin" | "Member" | "Contributor" | "Viewer";
}

export interface FabricContractServer {
  readonly url: string;
  /** Capacities the caller can see (GET /v1/capacities). */
  readonly capacities: Map<string, FabricCapacity>;
  /** workspace id -> its role assignments (GET /v1/workspaces/{id}/roleAssignments). */
  readonly workspaceRoles: Map<string, FabricWorkspaceRole[]>;
  /** The workspace the server starts with. */
  readonly workspaceId: string;
  /** Every workspace, including ones created through POST /v1/workspaces. */
  readonly workspaces: Map<string, { readonly id: string; readonly displayName: string; readonly capacityId?: string; readonly identity?: boolean }>;
  readonly requests: RecordedFabricRequest[];
  readonly items: Map<string, StoredFabricItem>;
  readonly connections: Map<string, StoredConnection>;
  /** Requests that change state: POST/PATCH/PUT/DELETE except getDefinition. */
  mutatingRequests(): RecordedFabricRequest[];
  inject(fault: InjectedFault): void;
  /** The next request carrying this token gets 401 TokenExpired; the token stays rejected afterwards. */
  expireToken(token: string): void;
  acceptToken(token: string): void;
  /** The next long-running operation ends Failed with this error (its request was applied nonetheless). */
  failNextOperation(errorCode: string, message: string): void;
  close(): Promise<void>;
}

const ITEM_TYPES = new Set(["Lakehouse", "Eventhouse", "KQLDatabase", "Eventstream", "DataPipeline", "KQLDashboard", "Notebook"]);
const REQUIRED_PARTS: Record<string, string> = {
  DataPipeline: "pipeline-content.json",
  Eventhouse: "EventhouseProperties.json",
  KQLDatabase: "DatabaseProperties.json",
  Eventstream: "eventstream.json",
  KQLDashboard: "RealTimeDashboard.json",
};
const CONNECTION_TYPES: Record<string, { creationMethod: string; parameters: string[]; credentials: string[] }> = {
  EventHub: { creationMethod: "EventHub.Contents", parameters: ["endpoint", "entityPath"], credentials: ["Basic", "OAuth2"] },
  WebForPipeline: { creationMethod: "WebForPipeline.Contents", parameters: ["baseUrl"], credentials: ["Anonymous"] },
  SQL: { creationMethod: "Sql", parameters: ["server", "database"], credentials: ["ServicePrincipal", "WorkspaceIdentity", "OAuth2"] },
};
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly isRetriable = false,
  ) {
    super(message);
  }
}

interface Operation {
  pollsLeft: number;
  result?: unknown;
  error?: { errorCode: string; message: string };
}

export async function startFabricContractServer(options: FabricServerOptions = {}): Promise<FabricContractServer> {
  const workspaceId = options.workspaceId ?? randomUUID();
  const accepted = new Set(options.acceptedTokens ?? ["fabric-test-token"]);
  const expired = new Set<string>();
  const pageSize = options.pageSize ?? 2;
  const retryAfter = String(options.retryAfterSeconds ?? 0);
  const kustoUri = options.kustoQueryServiceUri ?? "https://trd-test.z0.kusto.fabric.microsoft.com";
  const requests: RecordedFabricRequest[] = [];
  const items = new Map<string, StoredFabricItem>();
  const workspaces = new Map<string, { id: string; displayName: string; capacityId?: string; identity?: boolean }>([[workspaceId, { id: workspaceId, displayName: "contract-workspace" }]]);
  // The workspace of the request being handled; routes run synchronously, one request at a time.
  let ws = workspaceId;
  const inWorkspace = () => [...items.values()].filter((i) => i.workspaceId === ws);
  const connections = new Map<string, StoredConnection>();
  const capacities = new Map<string, FabricCapacity>();
  const workspaceRoles = new Map<string, FabricWorkspaceRole[]>();
  const operations = new Map<string, Operation>();
  const reservedNames = new Map<string, number>();
  let nextOperationError: Operation["error"];
  const faults: { fault: InjectedFault; left: number; skip: number }[] = [];
  let baseUrl = "";

  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readRequestBody(req);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    let body: unknown;
    let status = 500;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const reply = (code: number, payload?: unknown, headers: Record<string, string> = {}) => {
      status = code;
      res.writeHead(code, { ...(payload === undefined ? {} : { "content-type": "application/json" }), ...headers });
      res.end(payload === undefined ? undefined : JSON.stringify(payload));
    };
    try {
      authorize(req.headers.authorization);
      const fault = takeFault(method, url.pathname);
      if (fault) {
        const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
        throw new HttpError(fault.status, fault.errorCode ?? (fault.status === 429 ? "RequestBlocked" : "InternalServerError"), fault.echoRequestBody ? `invalid request: ${raw}` : "injected fault", headers, fault.isRetriable ?? false);
      }
      if (typeof body === "string") throw new HttpError(400, "InvalidRequest", "body is not JSON");
      const result = route(method, url, body);
      reply(result.status, result.body, result.headers);
    } catch (error) {
      if (error instanceof HttpError) {
        reply(error.status, { errorCode: error.errorCode, message: error.message, requestId: randomUUID(), isRetriable: error.isRetriable }, error.headers);
      } else {
        reply(500, { errorCode: "InternalServerError", message: String(error), requestId: randomUUID() });
      }
    }
    requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), body, status });
  }

  function authorize(header: string | undefined): void {
    const token = header?.startsWith("Bearer ") ? header.slice(7) : undefined;
    if (!token) throw new HttpError(401, "TokenNotProvided", "no bearer token");
    if (expired.has(token)) throw new HttpError(401, "TokenExpired", "token expired", { "x-ms-public-api-error-code": "TokenExpired" });
    if (!accepted.has(token)) throw new HttpError(401, "InvalidToken", "token not accepted");
  }

  function takeFault(method: string, path: string): InjectedFault | undefined {
    const entry = faults.find((f) => f.left > 0 && (!f.fault.method || f.fault.method === method) && (!f.fault.pathContains || path.includes(f.fault.pathContains)));
    if (!entry) return undefined;
    if (entry.skip > 0) {
      entry.skip -= 1;
      return undefined;
    }
    entry.left -= 1;
    return entry.fault;
  }

  type Result = { status: number; body?: unknown; headers?: Record<string, string> };

  function route(method: string, url: URL, body: unknown): Result {
    const segments = url.pathname.split("/").filter(Boolean);
    if (segments[0] !== "v1") throw new HttpError(404, "UnknownApi", `no API at ${url.pathname}`);
    const [, area, id, sub, subId, action] = segments;
    if (area === "operations" && id) return operationRoute(method, id, sub);
    if (area === "connections") return connectionRoute(method, url, id, body);
    if (area === "workspaces" && !id) return workspaceCollectionRoute(method, url, body);
    if (area === "capacities" && !id && method === "GET") return page(url, [...capacities.values()]);
    if (area === "workspaces") {
      if (!workspaces.has(id)) throw new HttpError(404, "WorkspaceNotFound", `workspace ${id} not found`);
      ws = id;
      if (sub === "provisionIdentity" && method === "POST") {
        const workspace = workspaces.get(id);
        if (workspace) workspace.identity = true;
        return lro({ applicationId: randomUUID(), servicePrincipalId: randomUUID() });
      }
      if (!sub && method === "GET") {
        const workspace = workspaces.get(id) as { id: string; displayName: string; capacityId?: string };
        return { status: 200, body: { id: workspace.id, displayName: workspace.displayName, type: "Workspace", ...(workspace.capacityId ? { capacityId: workspace.capacityId } : {}) } };
      }
      if (sub === "roleAssignments" && !subId && method === "GET") {
        return page(url, (workspaceRoles.get(id) ?? []).map((r) => ({ id: r.principalId, principal: { id: r.principalId, type: r.principalType }, role: r.role })));
      }
      if (!sub && method === "DELETE") {
        for (const item of inWorkspace()) items.delete(item.id);
        workspaces.delete(id);
        return { status: 200 };
      }
      if (sub === "items" && !subId) {
        if (method === "GET") return page(url, inWorkspace().filter((i) => !url.searchParams.get("type") || i.type === url.searchParams.get("type")).map(itemView));
        if (method === "POST") return createItem(body);
      }
      if (sub === "items" && subId && action === "jobs") return scheduleRoute(method, existing(subId), segments.slice(6), body);
      if (sub === "items" && subId) return itemRoute(method, subId, action, body);
      if ((sub === "kqlDatabases" || sub === "eventhouses") && subId && method === "GET") {
        const item = existing(subId);
        const parent = sub === "kqlDatabases" ? parseJsonPart(item, "DatabaseProperties.json")?.parentEventhouseItemId : undefined;
        return { status: 200, body: { ...itemView(item), properties: { queryServiceUri: kustoUri, ...(parent ? { parentEventhouseItemId: parent, databaseName: item.displayName } : {}) } } };
      }
    }
    throw new HttpError(404, "UnknownApi", `${method} ${url.pathname} is not part of this contract server`);
  }

  function workspaceCollectionRoute(method: string, url: URL, body: unknown): Result {
    const view = (w: { id: string; displayName: string; capacityId?: string }) => ({ id: w.id, displayName: w.displayName, type: "Workspace", ...(w.capacityId ? { capacityId: w.capacityId } : {}) });
    if (method === "GET") return page(url, [...workspaces.values()].map(view));
    if (method === "POST") {
      const request = asRecord(body, "request body");
      if (typeof request.displayName !== "string" || !request.displayName) throw new HttpError(400, "InvalidInput", "displayName is required");
      if (request.capacityId !== undefined && (typeof request.capacityId !== "string" || !GUID.test(request.capacityId))) throw new HttpError(400, "InvalidInput", "capacityId must be a GUID");
      if ([...workspaces.values()].some((w) => w.displayName === request.displayName)) throw new HttpError(409, "WorkspaceNameAlreadyExists", `workspace ${request.displayName} exists`);
      const created = { id: randomUUID(), displayName: request.displayName, capacityId: request.capacityId as string | undefined };
      workspaces.set(created.id, created);
      return { status: 201, body: view(created) };
    }
    throw new HttpError(404, "UnknownApi", `${method} workspaces is not part of this contract server`);
  }

  function page<T>(url: URL, all: T[]): Result {
    const offset = Number(url.searchParams.get("continuationToken") ? Buffer.from(url.searchParams.get("continuationToken") as string, "base64").toString() : 0);
    const value = all.slice(offset, offset + pageSize);
    const next = offset + pageSize < all.length ? Buffer.from(String(offset + pageSize)).toString("base64") : undefined;
    const nextUri = next ? new URL(url.pathname + url.search, baseUrl) : undefined;
    nextUri?.searchParams.set("continuationToken", next as string);
    return { status: 200, body: { value, ...(next ? { continuationToken: next, continuationUri: nextUri?.toString() } : {}) } };
  }

  function lro(result?: unknown): Result {
    const id = randomUUID();
    operations.set(id, { pollsLeft: options.runningPolls ?? 1, result, error: nextOperationError });
    nextOperationError = undefined;
    return { status: 202, headers: { location: `${baseUrl}/v1/operations/${id}`, "x-ms-operation-id": id, "retry-after": retryAfter } };
  }

  function operationRoute(method: string, id: string, sub: string | undefined): Result {
    const op = operations.get(id);
    if (!op || method !== "GET") throw new HttpError(404, "OperationNotFound", `operation ${id} not found`);
    if (sub === "result") {
      if (op.pollsLeft > 0 || op.result === undefined) throw new HttpError(400, "OperationHasNoResult", `operation ${id} has no result`);
      return { status: 200, body: op.result };
    }
    if (op.pollsLeft > 0) {
      op.pollsLeft -= 1;
      return { status: 200, body: { status: "Running", percentComplete: 50 }, headers: { "retry-after": retryAfter, "x-ms-operation-id": id } };
    }
    if (op.error) return { status: 200, body: { status: "Failed", percentComplete: 100, error: op.error }, headers: { "x-ms-operation-id": id } };
    const headers: Record<string, string> = { "x-ms-operation-id": id };
    if (op.result !== undefined) headers.location = `${baseUrl}/v1/operations/${id}/result`;
    return { status: 200, body: { status: "Succeeded", percentComplete: 100 }, headers };
  }

  function createItem(body: unknown): Result {
    const request = asRecord(body, "request body");
    const displayName = request.displayName;
    const type = request.type;
    if (typeof displayName !== "string" || !displayName) throw new HttpError(400, "InvalidInput", "displayName is required");
    if (typeof type !== "string" || !ITEM_TYPES.has(type)) throw new HttpError(400, "InvalidItemType", `unknown item type ${String(type)}`);
    if (request.definition !== undefined && request.creationPayload !== undefined) throw new HttpError(400, "InvalidInput", "definition and creationPayload are mutually exclusive");
    const key = `${ws}/${type}/${displayName}`;
    const reserved = reservedNames.get(key) ?? 0;
    if (reserved > 0) {
      reservedNames.set(key, reserved - 1);
      throw new HttpError(400, "ItemDisplayNameNotAvailableYet", `the name ${displayName} is not available yet`, { "retry-after": retryAfter });
    }
    if (inWorkspace().some((i) => i.type === type && i.displayName === displayName)) throw new HttpError(409, "ItemDisplayNameAlreadyInUse", `${type} ${displayName} exists`);
    const parts = request.definition === undefined ? [] : validateDefinition(type, request.definition);
    const item: StoredFabricItem = { id: randomUUID(), workspaceId: ws, type, displayName, description: typeof request.description === "string" ? request.description : "", parts, schedules: [] };
    items.set(item.id, item);
    return request.definition === undefined ? { status: 201, body: itemView(item) } : lro(itemView(item));
  }

  function itemRoute(method: string, id: string, action: string | undefined, body: unknown): Result {
    const item = existing(id);
    if (!action && method === "GET") return { status: 200, body: itemView(item) };
    if (!action && method === "PATCH") {
      const patch = asRecord(body, "request body");
      if (typeof patch.description === "string") item.description = patch.description;
      if (typeof patch.displayName === "string") item.displayName = patch.displayName;
      return { status: 200, body: itemView(item) };
    }
    if (!action && method === "DELETE") {
      items.delete(id);
      reservedNames.set(`${ws}/${item.type}/${item.displayName}`, options.nameReservedAttempts ?? 0);
      return { status: 200 };
    }
    if (action === "getDefinition" && method === "POST") {
      return lro({ definition: { parts: item.parts.map((p) => ({ path: p.path, payload: Buffer.from(p.text).toString("base64"), payloadType: "InlineBase64" })) } });
    }
    if (action === "updateDefinition" && method === "POST") {
      item.parts = validateDefinition(item.type, asRecord(body, "request body").definition);
      return lro();
    }
    throw new HttpError(404, "UnknownApi", `${method} item ${action ?? ""} is not part of this contract server`);
  }

  /** Job Scheduler: GET/POST .../jobs/{jobType}/schedules, PATCH .../schedules/{id}; Cron configurations only. */
  function scheduleRoute(method: string, item: StoredFabricItem, rest: string[], body: unknown): Result {
    const [jobType, collection, scheduleId] = rest;
    if (!jobType || collection !== "schedules") throw new HttpError(404, "UnknownApi", "unknown job route");
    if (item.type === "DataPipeline" && jobType !== "Pipeline") throw new HttpError(400, "InvalidJobType", `job type ${jobType} is not valid for ${item.type}`);
    const view = (s: StoredSchedule) => ({ id: s.id, enabled: s.enabled, createdDateTime: "2026-01-01T00:00:00Z", configuration: s.configuration, owner: { id: "deployer", type: "ServicePrincipal" } });
    if (!scheduleId && method === "GET") return { status: 200, body: { value: item.schedules.filter((s) => s.jobType === jobType).map(view) } };
    const request = asRecord(body, "request body");
    if (typeof request.enabled !== "boolean") throw new HttpError(400, "InvalidInput", "enabled is required");
    const configuration = asRecord(request.configuration, "configuration");
    if (configuration.type !== "Cron") throw new HttpError(400, "InvalidInput", "this contract server supports Cron schedules only");
    const interval = configuration.interval;
    if (typeof interval !== "number" || !Number.isInteger(interval) || interval < 1 || interval > 5_270_400) throw new HttpError(400, "InvalidInput", "configuration.interval must be 1-5270400 minutes");
    for (const key of ["startDateTime", "endDateTime", "localTimeZoneId"]) if (typeof configuration[key] !== "string") throw new HttpError(400, "InvalidInput", `configuration.${key} is required`);
    if (!scheduleId && method === "POST") {
      if (item.schedules.length >= 20) throw new HttpError(400, "ScheduleExceedsLimit", "an item can have at most 20 schedules");
      const schedule: StoredSchedule = { id: randomUUID(), jobType, enabled: request.enabled, configuration };
      item.schedules.push(schedule);
      return { status: 201, body: view(schedule) };
    }
    const schedule = item.schedules.find((s) => s.id === scheduleId && s.jobType === jobType);
    if (!schedule) throw new HttpError(404, "ScheduleNotFound", `schedule ${scheduleId} not found`);
    if (method === "PATCH") {
      schedule.enabled = request.enabled;
      schedule.configuration = configuration;
      return { status: 200, body: view(schedule) };
    }
    throw new HttpError(404, "UnknownApi", `${method} schedule is not part of this contract server`);
  }

  function validateDefinition(type: string, definition: unknown): { path: string; text: string }[] {
    const parts = asRecord(definition, "definition").parts;
    if (!Array.isArray(parts) || parts.length === 0) throw new HttpError(400, "InvalidDefinition", "definition.parts must be a non-empty array");
    const decoded = parts.map((part, index) => {
      const p = asRecord(part, `definition.parts[${index}]`);
      if (typeof p.path !== "string" || !p.path) throw new HttpError(400, "InvalidDefinition", `definition.parts[${index}].path is required`);
      if (p.payloadType !== "InlineBase64") throw new HttpError(400, "InvalidDefinition", `${p.path}: payloadType must be InlineBase64`);
      if (typeof p.payload !== "string" || !BASE64.test(p.payload)) throw new HttpError(400, "InvalidDefinition", `${p.path}: payload is not base64`);
      const text = Buffer.from(p.payload, "base64").toString("utf8");
      if (p.path.endsWith(".json") || p.path === ".platform") {
        try {
          checkReferences(p.path, JSON.parse(text));
        } catch (error) {
          if (error instanceof HttpError) throw error;
          throw new HttpError(400, "InvalidDefinition", `${p.path}: not valid JSON`);
        }
      }
      return { path: p.path, text };
    });
    const required = REQUIRED_PARTS[type];
    if (required && !decoded.some((p) => p.path === required)) throw new HttpError(400, "InvalidDefinition", `${type} definition needs ${required}`);
    return decoded;
  }

  /** Every workspace, item and connection reference in a definition must point at something that exists. */
  function checkReferences(path: string, value: unknown): void {
    if (Array.isArray(value)) return value.forEach((v) => checkReferences(path, v));
    if (!value || typeof value !== "object") return;
    for (const [key, child] of Object.entries(value)) {
      if (typeof child === "string") {
        if ((key === "workspaceId" || key === "workspace") && child !== ws) throw new HttpError(400, "InvalidDefinition", `${path}: ${key} ${child} is not this workspace`);
        if ((key === "itemId" || key === "parentEventhouseItemId" || key === "artifactId" || key === "objectId") && items.get(child)?.workspaceId !== ws) throw new HttpError(400, "InvalidDefinition", `${path}: ${key} ${child} is not an item of this workspace`);
        if ((key === "connection" || key === "dataConnectionId") && !connections.has(child)) throw new HttpError(400, "InvalidDefinition", `${path}: ${key} ${child} is not a known connection`);
        if (child.includes("{{")) throw new HttpError(400, "InvalidDefinition", `${path}: ${key} still holds a template token`);
      } else {
        checkReferences(path, child);
      }
    }
  }

  function connectionRoute(method: string, url: URL, id: string | undefined, body: unknown): Result {
    if (!id && method === "GET") return page(url, [...connections.values()].map(connectionView));
    if (!id && method === "POST") {
      const request = asRecord(body, "request body");
      if (request.connectivityType !== "ShareableCloud") throw new HttpError(400, "InvalidInput", "connectivityType must be ShareableCloud");
      if (typeof request.displayName !== "string" || !request.displayName) throw new HttpError(400, "InvalidInput", "displayName is required");
      if ([...connections.values()].some((c) => c.displayName === request.displayName)) throw new HttpError(409, "DuplicateConnectionName", `connection ${request.displayName} exists`);
      const details = asRecord(request.connectionDetails, "connectionDetails");
      const spec = CONNECTION_TYPES[String(details.type)];
      if (!spec) throw new HttpError(400, "UnsupportedConnectionType", `connection type ${String(details.type)} is not supported`);
      if (details.creationMethod !== spec.creationMethod) throw new HttpError(400, "InvalidInput", `creationMethod must be ${spec.creationMethod}`);
      const parameters = Object.fromEntries((Array.isArray(details.parameters) ? details.parameters : []).map((p) => [asRecord(p, "parameter").name, String(asRecord(p, "parameter").value)]));
      for (const name of spec.parameters) if (!parameters[name]) throw new HttpError(400, "InvalidInput", `parameter ${name} is required for ${String(details.type)}`);
      const credentialDetails = asRecord(request.credentialDetails, "credentialDetails");
      const credentials = asRecord(credentialDetails.credentials, "credentials");
      const credentialType = String(credentials.credentialType);
      if (!spec.credentials.includes(credentialType)) throw new HttpError(400, "InvalidInput", `credentialType ${credentialType} is not valid for ${String(details.type)}`);
      if (credentialType === "Basic" && (!credentials.username || !credentials.password)) throw new HttpError(400, "InvalidInput", "Basic credentials need username and password");
      const stored: StoredConnection = { id: randomUUID(), displayName: request.displayName, type: String(details.type), creationMethod: spec.creationMethod, parameters, credentialType, credentials };
      connections.set(stored.id, stored);
      return { status: 201, body: connectionView(stored) };
    }
    if (id && method === "PATCH") {
      // UpdateShareableCloudConnectionRequest: connectivityType (required), displayName, privacyLevel, credentialDetails,
      // allowConnectionUsageInGateway; connectionDetails (the parameters) cannot be changed.
      const current = connections.get(id);
      if (!current) throw new HttpError(404, "ConnectionNotFound", `connection ${id} not found`);
      const request = asRecord(body, "request body");
      if (request.connectivityType !== "ShareableCloud") throw new HttpError(400, "InvalidInput", "connectivityType must be ShareableCloud");
      const allowed = new Set(["connectivityType", "displayName", "privacyLevel", "credentialDetails", "allowConnectionUsageInGateway"]);
      const unknown = Object.keys(request).filter((k) => !allowed.has(k));
      if (unknown.length > 0) throw new HttpError(400, "InvalidInput", `${unknown.join(", ")} cannot be updated`);
      let { displayName, credentialType, credentials } = current;
      if (request.displayName !== undefined) {
        if (typeof request.displayName !== "string" || !request.displayName || request.displayName.length > 200) throw new HttpError(400, "InvalidInput", "displayName must be 1-200 characters");
        if ([...connections.values()].some((c) => c.id !== id && c.displayName === request.displayName)) throw new HttpError(409, "DuplicateConnectionName", `connection ${request.displayName} exists`);
        displayName = request.displayName;
      }
      if (request.credentialDetails !== undefined) {
        credentials = asRecord(asRecord(request.credentialDetails, "credentialDetails").credentials, "credentials");
        credentialType = String(credentials.credentialType);
        if (!CONNECTION_TYPES[current.type].credentials.includes(credentialType)) throw new HttpError(400, "InvalidInput", `credentialType ${credentialType} is not valid for ${current.type}`);
        if (credentialType === "Basic" && (!credentials.username || !credentials.password)) throw new HttpError(400, "InvalidInput", "Basic credentials need username and password");
      }
      const updated: StoredConnection = { ...current, displayName, credentialType, credentials };
      connections.set(id, updated);
      return { status: 200, body: connectionView(updated) };
    }
    if (id && method === "DELETE") {
      if (!connections.delete(id)) throw new HttpError(404, "ConnectionNotFound", `connection ${id} not found`);
      return { status: 200 };
    }
    throw new HttpError(404, "UnknownApi", `${method} connections is not part of this contract server`);
  }

  function existing(id: string): StoredFabricItem {
    const item = GUID.test(id) ? items.get(id) : undefined;
    if (item && item.workspaceId !== ws) throw new HttpError(404, "ItemNotFound", `item ${id} not found in workspace ${ws}`);
    if (!item) throw new HttpError(404, "ItemNotFound", `item ${id} not found`);
    return item;
  }

  function itemView(item: StoredFabricItem) {
    return { id: item.id, type: item.type, displayName: item.displayName, description: item.description, workspaceId: item.workspaceId };
  }

  function connectionView(c: StoredConnection) {
    return { id: c.id, displayName: c.displayName, connectivityType: "ShareableCloud", connectionDetails: { type: c.type, path: Object.values(c.parameters).join(";") }, credentialDetails: { credentialType: c.credentialType } };
  }

  await listenOnLoopback(server, options.port ?? 0);
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    capacities,
    workspaceRoles,
    workspaceId,
    workspaces,
    requests,
    items,
    connections,
    mutatingRequests: () => requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/getDefinition")),
    inject: (fault) => faults.push({ fault, left: fault.times ?? 1, skip: fault.skip ?? 0 }),
    expireToken: (token) => expired.add(token),
    acceptToken: (token) => accepted.add(token),
    failNextOperation: (errorCode, message) => void (nextOperationError = { errorCode, message }),
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

function parseJsonPart(item: StoredFabricItem, path: string): Record<string, string> | undefined {
  const part = item.parts.find((p) => p.path === path);
  return part ? (JSON.parse(part.text) as Record<string, string>) : undefined;
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new HttpError(400, "InvalidInput", `${what} must be an object`);
  return value as Record<string, unknown>;
}

