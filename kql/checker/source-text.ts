/** A slice of a script file with a way back to the file's own line and column. */
export interface SourceText {
  readonly file: string;
  /** The text handed to the parser (placeholders substituted). */
  readonly text: string;
  /** Maps an offset in `text` to a 1-based line and column in the committed file. */
  position(offset: number): { line: number; column: number };
}

/** Line and column (1-based) of an offset in a text. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split("\n");
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

const PLACEHOLDER = /\$\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/**
 * Substitutes `${name}` placeholders, keeping a map so diagnostics still point at the committed file.
 * Unknown names are returned (and left in place) so the caller can report them.
 */
export function substituteWithPositions(
  file: string,
  fileText: string,
  start: number,
  end: number,
  values: Readonly<Record<string, string>>,
): { source: SourceText; unknown: { name: string; offset: number }[] } {
  const original = fileText.slice(start, end);
  // Pairs of (offset in substituted text, offset in original) at each substitution boundary.
  const anchors: [number, number][] = [[0, 0]];
  const unknown: { name: string; offset: number }[] = [];
  let text = "";
  let last = 0;
  for (const match of original.matchAll(PLACEHOLDER)) {
    const at = match.index ?? 0;
    text += original.slice(last, at);
    const value = values[match[1]];
    if (value === undefined) {
      unknown.push({ name: match[1], offset: start + at });
      text += match[0];
    } else {
      anchors.push([text.length, at]);
      text += value;
    }
    last = at + match[0].length;
    anchors.push([text.length, last]);
  }
  text += original.slice(last);
  const toOriginal = (offset: number): number => {
    let anchor = anchors[0];
    for (const a of anchors) if (a[0] <= offset) anchor = a;
    return anchor[1] + (offset - anchor[0]);
  };
  return {
    source: { file, text, position: (offset) => lineAndColumn(fileText, start + toOriginal(offset)) },
    unknown,
  };
}

/** Commands in a script: each starts with `.` at the beginning of a line and runs to the next one (as Kusto splits scripts). */
export function splitCommandRanges(fileText: string): { start: number; end: number }[] {
  const starts: number[] = [];
  let offset = 0;
  for (const line of fileText.split("\n")) {
    if (line.startsWith(".")) starts.push(offset);
    offset += line.length + 1;
  }
  return starts.map((start, i) => {
    let end = i + 1 < starts.length ? starts[i + 1] : fileText.length;
    // Comment lines and blank lines before the next command belong to no command.
    while (end > start) {
      const lineStart = fileText.lastIndexOf("\n", end - 2) + 1;
      const line = fileText.slice(lineStart, end).trim();
      if (line === "" || line.startsWith("//")) end = lineStart;
      else break;
    }
    return { start, end: Math.max(start, end) };
  });
}
