import { promises as fs, type Dirent } from "node:fs";
import * as path from "node:path";
import { StageError } from "./stage-error";

/** One `*.json` file of a dataset. */
export interface DatasetFile {
  /** Path under the dataset root with `/` separators, e.g. `초3/문항정오답표/A1_T1_I1.json`. */
  readonly relativePath: string;
  readonly absolutePath: string;
}

interface DirectoryEntry {
  readonly name: string;
  readonly isDirectory: boolean;
  /** The entry's name as UTF-8 bytes, with a trailing `/` for a directory. */
  readonly sortKey: Buffer;
}

/**
 * Every `*.json` file under `root`, at any depth, in byte order (UTF-8) of the relative path with `/` separators.
 * Streams: only the entries of the directories on the current path are held, never the whole tree.
 * Symbolic links to files are followed; symbolic links to directories are not (they could loop).
 */
export async function* listDatasetFiles(root: string): AsyncGenerator<DatasetFile> {
  const rootStat = await fs.stat(root).catch(() => null);
  if (!rootStat) throw new StageError(`dataset folder not found: ${root} (pass an existing folder with --data)`);
  if (!rootStat.isDirectory()) throw new StageError(`dataset path is not a folder: ${root} (pass the dataset's root folder with --data)`);
  yield* walk(root, "");
}

async function* walk(directory: string, relativeDirectory: string): AsyncGenerator<DatasetFile> {
  for (const entry of await readSortedEntries(directory)) {
    const relativePath = relativeDirectory === "" ? entry.name : `${relativeDirectory}/${entry.name}`;
    const absolutePath = path.join(directory, entry.name);
    if (entry.isDirectory) yield* walk(absolutePath, relativePath);
    else if (entry.name.endsWith(".json")) yield { relativePath, absolutePath };
  }
}

/**
 * Sorting siblings by name alone is not byte order of full paths: `a-b/x.json` sorts before `a/x.json` because `-`
 * (0x2D) is below `/` (0x2F). Comparing names with a `/` appended to directories gives exactly full-path byte order.
 */
async function readSortedEntries(directory: string): Promise<DirectoryEntry[]> {
  const dirents = await fs.readdir(directory, { withFileTypes: true });
  const entries: DirectoryEntry[] = [];
  for (const dirent of dirents) {
    const kind = await entryKind(directory, dirent);
    if (kind === "other") continue;
    const isDirectory = kind === "directory";
    entries.push({ name: dirent.name, isDirectory, sortKey: Buffer.from(isDirectory ? `${dirent.name}/` : dirent.name, "utf8") });
  }
  return entries.sort((a, b) => Buffer.compare(a.sortKey, b.sortKey));
}

async function entryKind(directory: string, dirent: Dirent): Promise<"file" | "directory" | "other"> {
  if (dirent.isFile()) return "file";
  if (dirent.isDirectory()) return "directory";
  if (dirent.isSymbolicLink()) {
    const target = await fs.stat(path.join(directory, dirent.name)).catch(() => null);
    if (target?.isFile()) return "file";
  }
  return "other";
}
