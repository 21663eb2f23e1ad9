/** The parts of a synthesized cdk.tf.json the policy rules read. */
export interface SynthesizedTerraform {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
}

/** One resource of a synthesized stack. */
export interface SynthesizedResource {
  readonly type: string;
  readonly logicalId: string;
  /** Construct path, e.g. "prod/event-hubs/namespace". */
  readonly path: string;
  readonly body: Readonly<Record<string, unknown>>;
}

export function listResources(stack: SynthesizedTerraform): SynthesizedResource[] {
  return Object.entries(stack.resource ?? {}).flatMap(([type, byId]) =>
    Object.entries(byId).map(([logicalId, body]) => {
      const metadata = (body["//"] as { metadata?: { path?: string } } | undefined)?.metadata;
      return { type, logicalId, path: metadata?.path ?? `${type}.${logicalId}`, body };
    }),
  );
}

/** True when `expression` is a Terraform reference to an attribute of `resource`, e.g. "${azurerm_key_vault.kv.id}". */
export function refersTo(expression: unknown, resource: SynthesizedResource): boolean {
  return typeof expression === "string" && expression.includes(`${resource.type}.${resource.logicalId}.`);
}

/** The first element of a nested block (cdktf writes single blocks as objects, repeated ones as arrays). */
export function block(value: unknown): Readonly<Record<string, unknown>> | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first !== null && typeof first === "object" ? (first as Record<string, unknown>) : undefined;
}

export function blocks(value: unknown): Readonly<Record<string, unknown>>[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((item): item is Record<string, unknown> => item !== null && typeof item === "object");
}
