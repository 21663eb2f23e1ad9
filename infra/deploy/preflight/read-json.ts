/** A GET or POST whose JSON answer the preflight inspects; HTTP errors are values, network errors throw. */
export interface JsonAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** ARM and Graph `error.code`, or Fabric `errorCode`. */
  readonly errorCode: string;
}

export async function readJson(url: string, token: string, post?: unknown): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method: post === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${token}`, ...(post === undefined ? {} : { "content-type": "application/json" }) },
    body: post === undefined ? undefined : JSON.stringify(post),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  const nested = (body.error as { code?: string } | undefined)?.code;
  return { status: response.status, body, errorCode: nested ?? (typeof body.errorCode === "string" ? body.errorCode : "without an error code") };
}
