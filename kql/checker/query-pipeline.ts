/** One top-level operator of a query pipeline (`summarize ...`), with its offset in the query text. */
export interface PipelineOperator {
  readonly text: string;
  readonly offset: number;
  /** First word: `summarize`, `where`, `extend`... (for the source expression, the table name). */
  readonly name: string;
}

/**
 * Splits text at a given top-level separator, skipping string literals, comments and anything nested in
 * brackets, so `where a == "x|y"` or `extend f(a, b)` stay whole.
 */
export function splitTopLevel(text: string, separator: "|" | "," | ";"): { text: string; offset: number }[] {
  const parts: { text: string; offset: number }[] = [];
  let depth = 0;
  let partStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "/" && text[i + 1] === "/") {
      const newline = text.indexOf("\n", i);
      i = newline < 0 ? text.length : newline;
    } else if (c === '"' || c === "'") {
      const verbatim = text[i - 1] === "@";
      for (i++; i < text.length && text[i] !== c; i++) if (!verbatim && text[i] === "\\") i++;
    } else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (c === separator && depth === 0) {
      parts.push({ text: text.slice(partStart, i), offset: partStart });
      partStart = i + 1;
    }
  }
  parts.push({ text: text.slice(partStart), offset: partStart });
  return parts;
}

/** The operators of the last statement of a query (after any `let` statements). */
export function pipelineOperators(query: string): PipelineOperator[] {
  const statements = splitTopLevel(query, ";").filter((s) => s.text.trim() !== "");
  const last = statements[statements.length - 1] ?? { text: "", offset: 0 };
  return splitTopLevel(last.text, "|").map((part) => {
    const leading = part.text.length - part.text.trimStart().length;
    const text = part.text.trim();
    return { text, offset: last.offset + part.offset + leading, name: (/^[A-Za-z_][A-Za-z0-9_-]*/.exec(text)?.[0] ?? "").toLowerCase() };
  });
}

/** Text with string literals and comments blanked out (same length), for keyword searches that must not match inside strings. */
export function codeOnly(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "/" && text[i + 1] === "/") {
      const newline = text.indexOf("\n", i);
      const end = newline < 0 ? text.length : newline;
      out += " ".repeat(end - i);
      i = end - 1;
    } else if (c === '"' || c === "'") {
      const verbatim = text[i - 1] === "@";
      let j = i + 1;
      for (; j < text.length && text[j] !== c; j++) if (!verbatim && text[j] === "\\") j++;
      out += c + " ".repeat(Math.max(0, Math.min(j, text.length - 1) - i - 1)) + (j < text.length ? c : "");
      i = j;
    } else out += c;
  }
  return out;
}
