import { claimCovers, verifySasToken, type GrantedClaim, type SharedAccessPolicy } from "./sas-token";

/** The claims one AMQP connection has put on `$cbs`; links and management requests are authorized against them. */
export class ConnectionClaims {
  private readonly claims = new Map<string, GrantedClaim>();

  grant(claim: GrantedClaim): void {
    // A renewal replaces the earlier token for the same audience.
    this.claims.set(claim.path, claim);
  }

  covers(path: string, nowMs = Date.now()): boolean {
    for (const claim of this.claims.values()) if (claimCovers(claim, path, nowMs)) return true;
    return false;
  }
}

/** A request-response reply: status in application properties, correlated by the request's message id. */
export interface ReplyMessage {
  readonly correlation_id: unknown;
  readonly application_properties: Record<string, unknown>;
  readonly body?: unknown;
}

export function reply(request: Record<string, unknown>, statusCode: number, description: string, extra: { condition?: string; body?: unknown } = {}): ReplyMessage {
  const properties: Record<string, unknown> = { "status-code": statusCode, "status-description": description };
  if (extra.condition) properties["error-condition"] = extra.condition;
  return { correlation_id: request.message_id, application_properties: properties, ...(extra.body === undefined ? {} : { body: extra.body }) };
}

/**
 * Token types a put-token may name. Some clients send a shared access signature under "jwt"; the service accepts it,
 * so the body decides: it must be a shared access signature either way (the endpoint knows no Entra ID tokens).
 */
const TOKEN_TYPES = new Set(["servicebus.windows.net:sastoken", "jwt"]);

/** Handles a `$cbs` put-token request: a verified SAS token becomes a claim on the connection, anything else is 401. */
export function handlePutToken(request: Record<string, unknown>, policy: SharedAccessPolicy, claims: ConnectionClaims): ReplyMessage {
  const properties = (request.application_properties ?? {}) as Record<string, unknown>;
  if (properties.operation !== "put-token") return reply(request, 400, `unsupported $cbs operation '${String(properties.operation)}'`, { condition: "amqp:not-implemented" });
  if (!TOKEN_TYPES.has(String(properties.type))) {
    return reply(request, 401, `InvalidToken: unsupported token type '${String(properties.type)}'; expected 'servicebus.windows.net:sastoken' or 'jwt'`, { condition: "amqp:unauthorized-access" });
  }
  if (typeof request.body !== "string" || typeof properties.name !== "string") {
    return reply(request, 400, "put-token needs a string token body and a 'name' audience", { condition: "amqp:invalid-field" });
  }
  const verdict = verifySasToken(request.body, policy, Date.now(), properties.name);
  if (!verdict.ok) return reply(request, 401, verdict.reason, { condition: "amqp:unauthorized-access" });
  claims.grant(verdict.claim);
  return reply(request, 202, "Accepted");
}
