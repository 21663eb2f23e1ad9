import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

/** Folders of code that runs as a command, the function or a benchmark (tests are not configuration). */
const SOURCE_FOLDERS = ["functions", "infra", "local", "bench", "kql"];
const CONFIGURATION_PAGE = "docs/configuration.md";
/** A "read by" cell starting with this names a tool outside this repository's code. */
const EXTERNAL = "external:";
/** `EVENTHUB_NAME`, and `EVENTHUB__fullyQualifiedNamespace` (the Functions convention for identity-based settings). */
const VARIABLE_NAME = /^[A-Z][A-Z0-9]*(?:__?[A-Za-z0-9]+)+$/;

export interface DocumentedVariable {
  readonly name: string;
  readonly readBy: string;
  readonly line: number;
}

/**
 * Environment variables the code reads, each with the files that read it: `process.env.X`, `process.env["X"]`,
 * `const { X } = process.env`, `env.X` of a settings object, and in a file that reads the environment (the settings
 * readers) every string literal that is a variable name (`REQUIRED = ["TFSTATE_..."]`) and every name passed to a
 * reader function `(name: string) => env[name]` (`text("USER")`, `number("REPLAY_MAX_HOURS_PER_RUN", ...)`).
 */
export function variablesReadByCode(root: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const add = (name: string, file: string) => {
    const files = found.get(name) ?? [];
    if (!files.includes(file)) files.push(file);
    found.set(name, files);
  };
  for (const file of sourceFiles(root)) {
    const text = stripComments(readFileSync(path.join(root, file), "utf8"));
    for (const match of text.matchAll(/process\.env(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["'`]([^"'`]+)["'`]\s*\])/g)) add(match[1] ?? match[2], file);
    for (const match of text.matchAll(/\{([^{}]*)\}\s*=\s*process\.env\b/g)) {
      for (const name of match[1].split(",").map((part) => part.split(":")[0].trim())) if (name) add(name, file);
    }
    for (const match of text.matchAll(/\benv\??\.([A-Z][A-Za-z0-9_]*)/g)) add(match[1], file);
    if (!/NodeJS\.ProcessEnv|process\.env\b|\benv\[/.test(text)) continue;
    for (const match of text.matchAll(/["'`]([A-Za-z][A-Za-z0-9_]*)["'`]/g)) if (VARIABLE_NAME.test(match[1])) add(match[1], file);
    const readers = [...text.matchAll(/(?:const\s+(\w+)\s*=\s*\(|function\s+(\w+)\s*\()\s*name\s*:\s*string/g)].map((match) => match[1] ?? match[2]);
    for (const reader of readers) for (const match of text.matchAll(new RegExp(`\\b${reader}\\(\\s*["']([A-Za-z][A-Za-z0-9_]*)["']`, "g"))) add(match[1], file);
  }
  return found;
}

/** The rows of the one table in docs/configuration.md: `| \`NAME\` | default | read by | meaning |`. */
export function documentedVariables(root: string): DocumentedVariable[] {
  const file = path.join(root, CONFIGURATION_PAGE);
  if (!existsSync(file)) return [];
  const rows: DocumentedVariable[] = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((text, index) => {
      const cells = text.split(/(?<!\\)\|/).map((cell) => cell.trim());
      const name = /^`([^`]+)`$/.exec(cells[1] ?? "")?.[1];
      if (text.startsWith("|") && name !== undefined && cells.length >= 5) rows.push({ name, readBy: cells[3], line: index + 1 });
    });
  return rows;
}

/** Settings the GitHub workflows take from the repository: `vars.X` and `secrets.X`. */
export function workflowSettings(root: string): Set<string> {
  const folder = path.join(root, ".github", "workflows");
  const names = new Set<string>();
  if (!existsSync(folder)) return names;
  for (const file of readdirSync(folder).filter((name) => /\.ya?ml$/.test(name))) {
    for (const match of readFileSync(path.join(folder, file), "utf8").matchAll(/\b(?:vars|secrets)\.([A-Za-z_][A-Za-z0-9_]*)/g)) if (match[1] !== "GITHUB_TOKEN") names.add(match[1]);
  }
  return names;
}

/**
 * Differences between what the code and the workflows read and the table in docs/configuration.md: a variable read
 * but not documented, a documented variable nobody reads (unless its "read by" says `external:`), an `external:
 * GitHub Actions` row the workflows do not use, and a name documented twice.
 */
export function configurationDrift(root: string): string[] {
  const read = variablesReadByCode(root);
  const workflows = workflowSettings(root);
  const documented = documentedVariables(root);
  const names = new Set(documented.map((row) => row.name));
  const problems: string[] = [];
  for (const [name, files] of [...read].sort(([a], [b]) => a.localeCompare(b))) {
    if (!names.has(name)) problems.push(`${name} is read by ${files.join(", ")} but is not in the table of ${CONFIGURATION_PAGE}`);
  }
  for (const name of [...workflows].sort()) {
    if (!names.has(name)) problems.push(`${name} is a variable or secret of .github/workflows but is not in the table of ${CONFIGURATION_PAGE}`);
  }
  const counted = new Set<string>();
  for (const row of documented) {
    const where = `${CONFIGURATION_PAGE}:${row.line}`;
    if (counted.has(row.name)) problems.push(`${where}: ${row.name} is documented twice`);
    counted.add(row.name);
    const external = row.readBy.startsWith(EXTERNAL);
    if (!external && !read.has(row.name)) problems.push(`${where}: ${row.name} is documented as read by ${row.readBy}, but no code in ${SOURCE_FOLDERS.join(", ")} reads it (or mark the reader "${EXTERNAL} <tool>")`);
    if (external && /GitHub Actions/.test(row.readBy) && !workflows.has(row.name)) {
      problems.push(`${where}: ${row.name} is documented as a GitHub Actions setting, but no workflow uses vars.${row.name} or secrets.${row.name}`);
    }
  }
  return problems;
}

function sourceFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const relative = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === "node_modules" ? [] : walk(relative);
      return /\.(ts|js|mjs|cjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [relative] : [];
    });
  return SOURCE_FOLDERS.filter((folder) => existsSync(path.join(root, folder))).flatMap(walk);
}

/** Comments mention variables without reading them. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}
