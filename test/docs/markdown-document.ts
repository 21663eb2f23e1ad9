import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

/** One documentation file, split into what the drift checks need. */
export interface MarkdownDocument {
  /** Path relative to the repository root, with `/` separators. */
  readonly file: string;
  readonly text: string;
  /** GitHub's anchors of the file's headings, duplicates numbered as GitHub does (`x`, `x-1`, ...). */
  readonly anchors: ReadonlySet<string>;
  /** Sections from one heading to the next; the text before the first heading is a section without heading. */
  readonly sections: readonly MarkdownSection[];
}

export interface MarkdownSection {
  readonly heading: string;
  /** 1-based line of the heading (or 1). */
  readonly line: number;
  /** Lines of prose and tables, fenced code excluded. */
  readonly proseLines: readonly { readonly line: number; readonly text: string }[];
  /** Code: the lines of fenced blocks and every inline code span, in order, the heading's spans first. */
  readonly code: readonly { readonly line: number; readonly text: string }[];
}

/** The documentation the drift test keeps honest: the front door, the contributor's guide and every page in docs/. */
export function documentationFiles(root: string): string[] {
  const files = ["README.md", "CONTRIBUTING.md"].filter((file) => existsSync(path.join(root, file)));
  const docs = path.join(root, "docs");
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(path.join(dir, entry.name)) : entry.name.endsWith(".md") ? [path.join(dir, entry.name)] : []));
  if (existsSync(docs)) files.push(...walk(docs).map((file) => path.relative(root, file).split(path.sep).join("/")).sort());
  return files;
}

export function readMarkdown(root: string, file: string): MarkdownDocument {
  const text = readFileSync(path.join(root, file), "utf8");
  const sections: { heading: string; line: number; proseLines: { line: number; text: string }[]; code: { line: number; text: string }[] }[] = [];
  let current = { heading: "", line: 1, proseLines: [] as { line: number; text: string }[], code: [] as { line: number; text: string }[] };
  sections.push(current);
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;
  const lines = text.split("\n");
  lines.forEach((content, index) => {
    const line = index + 1;
    const fenceMatch = /^\s*(```+|~~~+)/.exec(content);
    if (fence !== undefined) {
      if (fenceMatch && fenceMatch[1].startsWith(fence)) fence = undefined;
      else current.code.push({ line, text: content });
      return;
    }
    if (fenceMatch) {
      fence = fenceMatch[1];
      return;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(content);
    if (heading) {
      current = { heading: heading[2], line, proseLines: [], code: [] };
      sections.push(current);
      const slug = githubSlug(heading[2]);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    current.proseLines.push({ line, text: content });
  });
  for (const section of sections) section.code.unshift(...inlineCodeSpans(section.proseLines));
  return { file, text, anchors, sections };
}

/** GitHub's heading anchor: markup dropped, lower case, punctuation removed except `-` and `_`, each space a hyphen. */
export function githubSlug(heading: string): string {
  const plain = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`/g, "");
  return plain
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, "")
    .replace(/ /g, "-");
}

/** Inline code spans of prose lines (a span may continue on the next line of the same paragraph). */
export function inlineCodeSpans(lines: readonly { line: number; text: string }[]): { line: number; text: string }[] {
  const spans: { line: number; text: string }[] = [];
  let paragraph: { line: number; text: string }[] = [];
  const flush = () => {
    if (paragraph.length === 0) return;
    const joined = paragraph.map((entry) => entry.text).join("\n");
    const starts = paragraph.map((_entry, index) => paragraph.slice(0, index).reduce((sum, previous) => sum + previous.text.length + 1, 0));
    for (const match of joined.matchAll(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g)) {
      const offset = match.index ?? 0;
      const lineIndex = starts.filter((start) => start <= offset).length - 1;
      spans.push({ line: paragraph[lineIndex].line, text: match[2].replace(/\n/g, " ").trim() });
    }
    paragraph = [];
  };
  for (const entry of lines) {
    if (entry.text.trim() === "" || /^#{1,6}\s/.test(entry.text) || entry.text.startsWith("|")) {
      flush();
      if (entry.text.trim() !== "") {
        paragraph.push(entry);
        flush();
      }
      continue;
    }
    paragraph.push(entry);
  }
  flush();
  return spans;
}

/** Relative links `[text](target)` of prose (code excluded), with their line. */
export function relativeLinks(document: MarkdownDocument): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  for (const section of document.sections) {
    for (const { line, text } of section.proseLines) {
      const withoutCode = text.replace(/(`+)[^`]*?\1/g, "code");
      for (const match of withoutCode.matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = match[1];
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
        links.push({ line, target });
      }
    }
  }
  return links;
}
