import { promises as fs } from "node:fs";
import { PLATFORM_OUTPUT_KEYS, type PlatformOutputs } from "../outputs";

/** Outputs that are legitimately empty: the salt secret name of an environment without pseudonymization. */
const MAY_BE_EMPTY: ReadonlySet<string> = new Set(["pseudonymizationSaltSecretName"]);

/**
 * Parses stack outputs as `cdktf output <env> --outputs-file f` writes them (`{ "<env>": { key: value } }`), or as a
 * flat `{ key: value }` object; values may also be Terraform's `{ "value": ... }` form. Every key of
 * PlatformOutputs must be present as a string, non-empty except where MAY_BE_EMPTY says otherwise.
 */
export function parseStackOutputs(document: unknown, environment: string, source: string): PlatformOutputs {
  if (!isRecord(document)) throw new Error(`${source}: expected a JSON object of stack outputs`);
  const nested = document[environment];
  const flat = isRecord(nested) ? nested : document;
  if (!isRecord(nested) && !("environment" in document)) {
    const stacks = Object.keys(document).filter((k) => isRecord(document[k]));
    if (stacks.length > 0) throw new Error(`${source}: no outputs for environment '${environment}' (found stacks: ${stacks.join(", ")})`);
  }
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const key of PLATFORM_OUTPUT_KEYS) {
    const raw = flat[key];
    const value = isRecord(raw) && "value" in raw ? raw.value : raw;
    if (typeof value !== "string" || (value.length === 0 && !MAY_BE_EMPTY.has(key))) missing.push(key);
    else values[key] = value;
  }
  if (missing.length > 0) throw new Error(`${source}: missing or empty stack outputs: ${missing.join(", ")} (expected every key of PlatformOutputs in infra/outputs.ts)`);
  if (values.environment !== environment) throw new Error(`${source}: outputs are for environment '${values.environment}', not '${environment}'`);
  return values as unknown as PlatformOutputs;
}

export async function readStackOutputsFile(file: string, environment: string): Promise<PlatformOutputs> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    throw new Error(`--outputs ${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new Error(`--outputs ${file}: not valid JSON (${(error as Error).message})`);
  }
  return parseStackOutputs(document, environment, file);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
