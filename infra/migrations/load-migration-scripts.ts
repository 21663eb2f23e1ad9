import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { MigrationScript } from "./migration-types";

const SCRIPT_EXTENSIONS = [".kql", ".sql"];
const VERSIONED_NAME = /^V(\d+)__([A-Za-z0-9_-]+)\.(kql|sql)$/;
const REPEATABLE_NAME = /^R__([A-Za-z0-9_-]+)\.(kql|sql)$/;

/** Lowercase hex SHA-256 of a script's text (already LF-normalized, so a Windows checkout does not count as an edit). */
export function scriptChecksum(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Parses one file name and its committed text; throws naming the file when the name does not follow the convention. */
export function parseMigrationScript(fileName: string, rawText: string): MigrationScript {
  const text = rawText.replace(/\r\n/g, "\n");
  const versioned = VERSIONED_NAME.exec(fileName);
  if (versioned) {
    return { type: "versioned", version: versioned[1], description: versioned[2], fileName, text, checksum: scriptChecksum(text) };
  }
  const repeatable = REPEATABLE_NAME.exec(fileName);
  if (repeatable) {
    return { type: "repeatable", version: null, description: repeatable[1], fileName, text, checksum: scriptChecksum(text) };
  }
  throw new Error(
    `${fileName}: script name must be V<digits>__<description>.<kql|sql> (applied once) or R__<description>.<kql|sql> (repeatable); description uses letters, digits, '_' or '-'`,
  );
}

/** Versioned scripts by numeric version, then repeatable scripts by description (Flyway's order). */
export function compareMigrationScripts(a: MigrationScript, b: MigrationScript): number {
  if (a.type !== b.type) return a.type === "versioned" ? -1 : 1;
  if (a.type === "versioned") return Number(a.version) - Number(b.version);
  return a.description.localeCompare(b.description);
}

/**
 * Reads every `.kql` / `.sql` file directly in `dir` (not sub-folders), in apply order.
 * Fails on a badly named script or on two scripts with the same version or description.
 */
export async function loadMigrationScripts(dir: string): Promise<MigrationScript[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isFile() && SCRIPT_EXTENSIONS.some((ext) => e.name.endsWith(ext))).map((e) => e.name);
  const scripts: MigrationScript[] = [];
  const errors: string[] = [];
  for (const name of names) {
    try {
      scripts.push(parseMigrationScript(name, await readFile(join(dir, name), "utf8")));
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  const seen = new Map<string, string>();
  for (const script of scripts) {
    const key = script.type === "versioned" ? `V${Number(script.version)}` : `R ${script.description}`;
    const other = seen.get(key);
    if (other) errors.push(`${script.fileName}: same ${script.type === "versioned" ? "version" : "description"} as ${other}; rename one of them`);
    seen.set(key, script.fileName);
  }
  if (errors.length > 0) throw new Error(`Invalid migration scripts in ${dir}:\n  ${errors.join("\n  ")}`);
  return scripts.sort(compareMigrationScripts);
}
