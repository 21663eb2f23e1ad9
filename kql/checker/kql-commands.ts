/** The control commands the scripts may use: idempotent forms only, so every script can be re-run. */
export type KqlCommand =
  | { kind: "table"; name: string; columnsStart: number; columnsEnd: number }
  | { kind: "function"; name: string; parametersStart: number; parametersEnd: number; bodyStart: number; bodyEnd: number }
  | { kind: "view"; name: string; sourceKind: "table" | "materialized-view"; source: string; properties: string; queryStart: number; queryEnd: number }
  | { kind: "mapping"; table: string; mapping: string; jsonStart: number; jsonEnd: number }
  | { kind: "update-policy"; table: string; jsonStart: number; jsonEnd: number }
  | { kind: "policy"; policy: string; entityKind: "table" | "materialized-view"; name: string }
  | { kind: "retention"; entityKind: "table" | "materialized-view"; name: string; softDeleteDays: number | null }
  | { kind: "view-lookback"; name: string }
  | { kind: "drop"; name: string }
  | { kind: "not-idempotent"; message: string }
  | { kind: "unknown" };

/** Index just past the bracket that closes the one at `open`, skipping string literals; -1 when unbalanced. */
export function closingBracket(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const verbatim = text[i - 1] === "@";
      for (i++; i < text.length && text[i] !== c; i++) if (!verbatim && text[i] === "\\") i++;
    } else if (c === "/" && text[i + 1] === "/") {
      const newline = text.indexOf("\n", i);
      i = newline < 0 ? text.length : newline;
    } else if (c === "(" || c === "{" || c === "[") depth++;
    else if (c === ")" || c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Skips whitespace and an optional `with (...)` property list; returns the new index and the properties text. */
function skipWithClause(text: string, index: number): { index: number; properties: string } {
  const match = /^\s*with\s*\(/.exec(text.slice(index));
  if (!match) return { index, properties: "" };
  const open = index + match[0].length - 1;
  const close = closingBracket(text, open);
  if (close < 0) return { index, properties: "" };
  return { index: close, properties: text.slice(open + 1, close - 1) };
}

const NAME = "([A-Za-z_][A-Za-z0-9_]*)";

/** Recognizes one command (the text starts with `.`); offsets are relative to the command text. */
export function classifyCommand(text: string): KqlCommand {
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^\\.create-merge\\s+table\\s+${NAME}\\s*\\(`).exec(text))) {
    const open = m[0].length - 1;
    const close = closingBracket(text, open);
    return close < 0 ? { kind: "unknown" } : { kind: "table", name: m[1], columnsStart: open + 1, columnsEnd: close - 1 };
  }
  if ((m = /^\.create-or-alter\s+function\b/.exec(text))) {
    const { index } = skipWithClause(text, m[0].length);
    const header = new RegExp(`^\\s*${NAME}\\s*\\(`).exec(text.slice(index));
    if (!header) return { kind: "unknown" };
    const open = index + header[0].length - 1;
    const close = closingBracket(text, open);
    const brace = text.indexOf("{", close);
    const end = brace < 0 ? -1 : closingBracket(text, brace);
    if (close < 0 || end < 0) return { kind: "unknown" };
    return { kind: "function", name: header[1], parametersStart: open, parametersEnd: close, bodyStart: brace, bodyEnd: end };
  }
  if ((m = /^\.(create-or-alter|create\s+(?:async\s+)?ifnotexists|create(?:\s+async)?)\s+materialized-view\b/.exec(text))) {
    if (!/^create-or-alter|ifnotexists/.test(m[1])) {
      return { kind: "not-idempotent", message: "'.create materialized-view' fails when the view exists; use '.create-or-alter materialized-view' (or '.create async ifnotexists materialized-view with (backfill=true)')" };
    }
    const { index, properties } = skipWithClause(text, m[0].length);
    const header = new RegExp(`^\\s*${NAME}\\s+on\\s+(table|materialized-view)\\s+${NAME}\\s*\\{`).exec(text.slice(index));
    if (!header) return { kind: "unknown" };
    const brace = index + header[0].length - 1;
    const end = closingBracket(text, brace);
    if (end < 0) return { kind: "unknown" };
    return { kind: "view", name: header[1], sourceKind: header[2] as "table" | "materialized-view", source: header[3], properties, queryStart: brace + 1, queryEnd: end - 1 };
  }
  if ((m = new RegExp(`^\\.create-or-alter\\s+table\\s+${NAME}\\s+ingestion\\s+json\\s+mapping\\s+(["'])${NAME}\\2\\s*`).exec(text))) {
    const rest = text.slice(m[0].length);
    const quote = rest.startsWith("@'") ? 2 : rest.startsWith("'") || rest.startsWith('"') ? 1 : 0;
    if (quote === 0) return { kind: "unknown" };
    const delimiter = rest[quote - 1];
    const close = rest.lastIndexOf(delimiter);
    return { kind: "mapping", table: m[1], mapping: m[3], jsonStart: m[0].length + quote, jsonEnd: m[0].length + close };
  }
  if ((m = new RegExp(`^\\.alter(?:-merge)?\\s+table\\s+${NAME}\\s+policy\\s+update\\s+@'`).exec(text))) {
    const close = text.lastIndexOf("'");
    return { kind: "update-policy", table: m[1], jsonStart: m[0].length, jsonEnd: close };
  }
  if ((m = new RegExp(`^\\.alter-merge\\s+(table|materialized-view)\\s+${NAME}\\s+policy\\s+retention\\b`).exec(text))) {
    const days = /\bsoftdelete\s*=\s*(\d+)d\b/.exec(text)?.[1];
    return { kind: "retention", entityKind: m[1] as "table" | "materialized-view", name: m[2], softDeleteDays: days === undefined ? null : Number(days) };
  }
  if ((m = new RegExp(`^\\.alter\\s+materialized-view\\s+${NAME}\\s+lookback\\s+\\d+[dhms]\\s*$`).exec(text))) {
    return { kind: "view-lookback", name: m[1] };
  }
  if ((m = new RegExp(`^\\.alter\\s+(table|materialized-view)\\s+${NAME}\\s+policy\\s+(caching|streamingingestion|ingestionbatching)\\b`).exec(text))) {
    return { kind: "policy", policy: m[3], entityKind: m[1] as "table" | "materialized-view", name: m[2] };
  }
  if ((m = new RegExp(`^\\.drop\\s+(?:table|function|materialized-view)\\s+${NAME}\\s+ifexists\\b`).exec(text))) {
    return { kind: "drop", name: m[1] };
  }
  if (/^\.alter\s+table\s+\w+\s+policy\s+retention\b/.test(text)) {
    return { kind: "not-idempotent", message: "use '.alter-merge table T policy retention softdelete = Nd' ('.alter' expects a JSON policy and replaces it)" };
  }
  const nonIdempotent: [RegExp, string][] = [
    [/^\.create\s+table\b(?!.*ingestion)/, "'.create table' fails or does nothing when the table exists; use '.create-merge table'"],
    [/^\.create\s+table\b.*ingestion/, "'.create table ... ingestion mapping' fails when the mapping exists; use '.create-or-alter table ... ingestion json mapping'"],
    [/^\.(create|alter)\s+function\b/, "use '.create-or-alter function'"],
    [/^\.alter\s+table\s+\w+\s*\(/, "'.alter table T (...)' replaces the schema and drops columns; use '.create-merge table'"],
    [/^\.drop\b/, "a drop without 'ifexists' fails on a re-run; add 'ifexists'"],
    [/^\.(set|append|set-or-append|set-or-replace|ingest)\b/, "data commands are not schema and duplicate data on a re-run; keep them out of migration scripts"],
  ];
  for (const [pattern, message] of nonIdempotent) if (pattern.test(text)) return { kind: "not-idempotent", message };
  return { kind: "unknown" };
}
