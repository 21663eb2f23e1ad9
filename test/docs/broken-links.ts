import { existsSync, statSync } from "node:fs";
import * as path from "node:path";
import { documentationFiles, readMarkdown, relativeLinks, type MarkdownDocument } from "./markdown-document";

/**
 * Relative links in the documentation whose file does not exist, or whose `#anchor` is not a heading of the Markdown
 * file it points to. Each problem reads `file:line: link -> what is wrong`.
 */
export function brokenLinks(root: string): string[] {
  const cache = new Map<string, MarkdownDocument>();
  const load = (file: string) => {
    let document = cache.get(file);
    if (!document) {
      document = readMarkdown(root, file);
      cache.set(file, document);
    }
    return document;
  };
  const problems: string[] = [];
  for (const file of documentationFiles(root)) {
    const document = load(file);
    for (const { line, target } of relativeLinks(document)) {
      const [linkPath, anchor] = splitTarget(target);
      const resolved = linkPath === "" ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURIComponent(linkPath)));
      const where = `${file}:${line}: ${target}`;
      if (resolved.startsWith("../") || !existsSync(path.join(root, resolved))) {
        problems.push(`${where} -> ${resolved} does not exist`);
        continue;
      }
      if (anchor === undefined) continue;
      if (!resolved.endsWith(".md") || statSync(path.join(root, resolved)).isDirectory()) {
        problems.push(`${where} -> an anchor into ${resolved}, which is not a Markdown file`);
        continue;
      }
      if (!load(resolved).anchors.has(anchor)) problems.push(`${where} -> ${resolved} has no heading with the anchor #${anchor}`);
    }
  }
  return problems;
}

function splitTarget(target: string): [string, string | undefined] {
  const hash = target.indexOf("#");
  return hash < 0 ? [target, undefined] : [target.slice(0, hash), target.slice(hash + 1)];
}
