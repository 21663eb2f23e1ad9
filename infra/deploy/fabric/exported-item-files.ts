import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { ExportedItemFiles } from "./export-record";

/** Every item folder under `root` (any folder with a `.platform`, child items under `.children/` included) with all its files. */
export async function readExportedItems(root: string, relative = ""): Promise<ExportedItemFiles[]> {
  const found: ExportedItemFiles[] = [];
  const entries = await fs.readdir(path.join(root, relative), { withFileTypes: true });
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const folder = relative ? `${relative}/${entry.name}` : entry.name;
    const platform = path.join(root, folder, ".platform");
    if (await fs.stat(platform).then(() => true, () => false)) {
      const type = String((JSON.parse(await fs.readFile(platform, "utf8")) as { metadata?: { type?: unknown } }).metadata?.type ?? path.extname(entry.name).slice(1));
      found.push({ folder, type, files: await readFiles(path.join(root, folder), "") });
      found.push(...(await readExportedItems(root, `${folder}/.children`).catch(() => [])));
    } else if (!entry.name.startsWith(".")) {
      found.push(...(await readExportedItems(root, folder)));
    }
  }
  return found;
}

async function readFiles(dir: string, relative: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await fs.readdir(path.join(dir, relative), { withFileTypes: true })) {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (entry.name !== ".children") for (const [name, text] of await readFiles(dir, child)) files.set(name, text);
    } else {
      files.set(child, await fs.readFile(path.join(dir, child), "utf8"));
    }
  }
  return files;
}
