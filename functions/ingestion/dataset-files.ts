import { promises as fs, type Dirent } from "node:fs";
import * as path from "node:path";
import { StageError } from "./stage-error";

/** One `*.json` file of a dataset. */
export interface DatasetFile {
  /** Path under the dataset root with `/` separators, e.g. `초3/문항정오답표/A1_T1_I1.json`. */
  readonly relativePath: string;
  readonly absolutePath: string;
}

/**
 * Why an entry under the dataset root is not read as a response: a name ending in `.json` in another case (`.JSON`),
 * any other name, a symbolic link to a folder (it could loop), a link whose target cannot be read (missing or not
 * permitted), or something that is neither a file nor a folder (a FIFO, a socket, a device).
 */
export type SkipReason = "json-extension-case" | "not-json" | "link-to-folder" | "broken-link" | "not-a-file";

/** An entry that listDatasetFiles passed over, with why. */
export interface SkippedEntry {
  readonly relativePath: string;
  readonly reason: SkipReason;
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
 * Symbolic links to files are followed; symbolic links to directories are not (they could loop). Every other entry
 * is passed to `onSkipped` with its reason (folders are walked, not reported).
 */
export async function* listDatasetFiles(root: string, onSkipped: (entry: SkippedEntry) => void = () => undefined): AsyncGenerator<DatasetFile> {
  const rootStat = await fs.stat(root).catch(() => null);
  if (!rootStat) throw new StageError(`dataset folder not found: ${root} (pass an existing folder with --data)`);
  if (!rootStat.isDirectory()) throw new StageError(`dataset path is not a folder: ${root} (pass the dataset's root folder with --data)`);
  yield* walk(root, "", onSkipped);
}

async function* walk(directory: string, relativeDirectory: string, onSkipped: (entry: SkippedEntry) => void): AsyncGenerator<DatasetFile> {
  const skip = (name: string, reason: SkipReason) => onSkipped({ relativePath: relativeDirectory === "" ? name : `${relativeDirectory}/${name}`, reason });
  for (const entry of await readSortedEntries(directory, skip)) {
    const relativePath = relativeDirectory === "" ? entry.name : `${relativeDirectory}/${entry.name}`;
    const absolutePath = path.join(directory, entry.name);
    if (entry.isDirectory) yield* walk(absolutePath, relativePath, onSkipped);
    else if (entry.name.endsWith(".json")) yield { relativePath, absolutePath };
    else skip(entry.name, entry.name.toLowerCase().endsWith(".json") ? "json-extension-case" : "not-json");
  }
}

/**
 * Sorting siblings by name alone is not byte order of full paths: `a-b/x.json` sorts before `a/x.json` because `-`
 * (0x2D) is below `/` (0x2F). Comparing names with a `/` appended to directories gives exactly full-path byte order.
 */
async function readSortedEntries(directory: string, skip: (name: string, reason: SkipReason) => void): Promise<DirectoryEntry[]> {
  const dirents = await fs.readdir(directory, { withFileTypes: true });
  const entries: DirectoryEntry[] = [];
  for (const dirent of dirents) {
    const kind = await entryKind(directory, dirent);
    if (kind !== "file" && kind !== "directory") {
      skip(dirent.name, kind);
      continue;
    }
    const isDirectory = kind === "directory";
    entries.push({ name: dirent.name, isDirectory, sortKey: Buffer.from(isDirectory ? `${dirent.name}/` : dirent.name, "utf8") });
  }
  return entries.sort((a, b) => Buffer.compare(a.sortKey, b.sortKey));
}

async function entryKind(directory: string, dirent: Dirent): Promise<"file" | "directory" | "link-to-folder" | "broken-link" | "not-a-file"> {
  if (dirent.isFile()) return "file";
  if (dirent.isDirectory()) return "directory";
  if (!dirent.isSymbolicLink()) return "not-a-file";
  const target = await fs.stat(path.join(directory, dirent.name)).catch(() => null);
  if (target === null) return "broken-link";
  if (target.isDirectory()) return "link-to-folder";
  return target.isFile() ? "file" : "not-a-file";
}
