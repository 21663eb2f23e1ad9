/** A Fabric REST error with the documented body fields; never carries the bearer token. */
export class FabricApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly request: string,
    detail: string,
    readonly requestId?: string,
  ) {
    super(`Fabric ${request} failed: HTTP ${status} ${errorCode}: ${detail}${requestId ? ` (requestId ${requestId})` : ""}`);
    this.name = "FabricApiError";
  }
}

export interface FabricErrorBody {
  readonly errorCode?: string;
  readonly message?: string;
  readonly requestId?: string;
  readonly isRetriable?: boolean;
}

export function parseFabricErrorBody(text: string): FabricErrorBody {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as FabricErrorBody) : {};
  } catch {
    return { message: text.slice(0, 300) };
  }
}
