import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { documentationFiles, readMarkdown } from "./markdown-document";

/** A command the documentation shows: an npm script, or a TypeScript entry run directly with ts-node. */
interface DocumentedCommand {
  /** `npm run deploy`, `npm start`, or the entry file for ts-node. */
  readonly name: string;
  /** The TypeScript file the command runs, when it is one of ours. */
  readonly entry: string | undefined;
  /** Flags written after the command (`--env`, `--dry-run`, ...). */
  readonly flags: readonly string[];
}

const COMMAND = /\b(?:npm\s+(?:run\s+([a-z][\w:-]*)|(start|test)\b)|npx\s+ts-node\s+(?:--transpile-only\s+)?(\S+\.ts)|node\s+-r\s+ts-node\/register(?:\/transpile-only)?\s+(\S+\.ts))/g;
/** The end of one command on a line: a comment, a pipe of a table or shell, a separator. */
const COMMAND_END = /\s#|\s\|\s?|;|&&/;

/**
 * Problems with the npm scripts and CLI flags the documentation mentions: a `npm run <script>` that package.json does
 * not define, a flag written after a command that the command's code does not define, and a flag in an option table
 * (a table whose first column is "option") that the command of its section (the first command shown in that section, heading included)
 * does not define. A command's code is its entry file and every module it imports from this repository; a flag is
 * defined there as a string `"--flag"` or as a `node:util` `parseArgs` option `flag: { type: ... }`.
 */
export function undefinedScriptsAndFlags(root: string): string[] {
  const scripts = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts?: Record<string, string> }).scripts ?? {};
  const sources = new Map<string, string>();
  const commandSource = (entry: string) => {
    let text = sources.get(entry);
    if (text === undefined) {
      text = moduleClosure(root, entry)
        .map((file) => readFileSync(path.join(root, file), "utf8"))
        .join("\n");
      sources.set(entry, text);
    }
    return text;
  };
  const problems: string[] = [];
  const checkFlags = (where: string, command: DocumentedCommand, flags: readonly string[]) => {
    if (flags.length === 0) return;
    if (command.entry === undefined) {
      problems.push(`${where}: ${command.name} is documented with ${flags.join(" ")}, but it does not run a TypeScript entry of this repository`);
      return;
    }
    if (!existsSync(path.join(root, command.entry))) {
      problems.push(`${where}: ${command.name} runs ${command.entry}, which does not exist`);
      return;
    }
    const source = commandSource(command.entry);
    for (const flag of flags) if (!definesFlag(source, flag)) problems.push(`${where}: ${command.name} has no flag ${flag} (not defined in ${command.entry} or the modules it imports)`);
  };

  for (const file of documentationFiles(root)) {
    for (const section of readMarkdown(root, file).sections) {
      let sectionCommand: DocumentedCommand | undefined;
      for (const { line, text } of section.code) {
        for (const command of commandsIn(text, scripts)) {
          const where = `${file}:${line}`;
          if (command.name.startsWith("npm run ") && scripts[command.name.slice("npm run ".length)] === undefined) {
            problems.push(`${where}: ${command.name} is not a script of package.json`);
            continue;
          }
          sectionCommand ??= command;
          checkFlags(where, command, command.flags);
        }
      }
      let tableHeader: string | undefined;
      let previous = "";
      for (const { line, text } of section.proseLines) {
        if (text.startsWith("|") && !previous.startsWith("|")) tableHeader = text.split("|")[1]?.trim().toLowerCase();
        previous = text;
        const optionCell = /^\|\s*`(--[a-z][a-z0-9-]*)/.exec(text);
        if (!optionCell || tableHeader !== "option") continue;
        const where = `${file}:${line}`;
        if (sectionCommand === undefined) problems.push(`${where}: the option ${optionCell[1]} is in a section that shows no command, so its command is unknown`);
        else checkFlags(where, sectionCommand, [optionCell[1]]);
      }
    }
  }
  return problems;
}

function commandsIn(code: string, scripts: Record<string, string>): DocumentedCommand[] {
  const commands: DocumentedCommand[] = [];
  const matches = [...code.matchAll(COMMAND)];
  matches.forEach((match, index) => {
    const start = (match.index ?? 0) + match[0].length;
    const rest = code.slice(start, index + 1 < matches.length ? matches[index + 1].index : undefined);
    const end = COMMAND_END.exec(rest);
    const args = end ? rest.slice(0, end.index) : rest;
    const flags = [...new Set([...args.matchAll(/(?:^|[\s[])(--[a-z][a-z0-9-]*)/g)].map((flag) => flag[1]))];
    const script = match[1] ?? match[2];
    if (script !== undefined) {
      const name = match[1] !== undefined ? `npm run ${script}` : `npm ${script}`;
      commands.push({ name, entry: scriptEntry(scripts[script]), flags });
    } else {
      const entry = path.posix.normalize(match[3] ?? match[4]);
      commands.push({ name: entry, entry, flags });
    }
  });
  return commands;
}

/** The TypeScript file an npm script runs with ts-node, e.g. `ts-node --transpile-only infra/deploy/cli.ts`. */
function scriptEntry(script: string | undefined): string | undefined {
  return script === undefined ? undefined : /^ts-node\s+(?:--\S+\s+)*(\S+\.ts)\b/.exec(script)?.[1];
}

function definesFlag(source: string, flag: string): boolean {
  const name = flag.slice(2).replace(/[-]/g, "\\-");
  return new RegExp(`["'\`]${flag}["'\`=]`).test(source) || new RegExp(`(?:^|[\\s{,])(["']?)${name}\\1\\s*:\\s*\\{\\s*type\\s*:`, "m").test(source);
}

/** The entry file and every module of this repository it imports, transitively (relative imports only). */
export function moduleClosure(root: string, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(path.join(root, file), "utf8");
    for (const match of text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)["'](\.{1,2}\/[^"']+)["']/g)) {
      const resolved = resolveModule(root, path.posix.join(path.posix.dirname(file), match[1]));
      if (resolved) visit(resolved);
    }
  };
  visit(path.posix.normalize(entry));
  return [...seen];
}

function resolveModule(root: string, base: string): string | undefined {
  return [`${base}.ts`, base, `${base}/index.ts`].find((candidate) => candidate.endsWith(".ts") && existsSync(path.join(root, candidate)));
}
