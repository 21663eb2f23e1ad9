import { promises as fs } from "node:fs";
import * as path from "node:path";

/** One Fabric item as committed in the Git-integration folder format (`<Name>.<Type>/.platform` + definition files). */
export interface FabricItemSource {
  readonly logicalId: string;
  readonly type: string;
  readonly displayName: string;
  readonly description: string;
  /** Folder relative to the items root, for messages. */
  readonly folder: string;
  /** Definition files (not `.platform`), paths relative to the item folder with forward slashes. */
  readonly parts: readonly { readonly path: string; readonly text: string }[];
}

/** Item types the deploy stage publishes, in dependency order (REFERENCE.md: the publish order that works). */
export const FABRIC_ITEM_ORDER = ["Lakehouse", "Eventhouse", "KQLDatabase", "Eventstream", "DataPipeline", "KQLDashboard"] as const;
export type FabricItemType = (typeof FABRIC_ITEM_ORDER)[number];

interface PlatformFile {
  metadata?: { type?: unknown; displayName?: unknown; description?: unknown };
  config?: { logicalId?: unknown };
}

/**
 * Loads every item folder under `root`, accepting both the nested layout of newer exports
 * (`X.Eventhouse/.children/Y.KQLDatabase/`) and standalone folders. Returns items in dependency order.
 */
export async function loadFabricItems(root: string): Promise<FabricItemSource[]> {
  const folders = await findItemFolders(root, "");
  const problems: string[] = [];
  const items: FabricItemSource[] = [];
  for (const folder of folders) {
    try {
      items.push(await loadItem(root, folder));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const seen = new Map<string, string>();
  for (const item of items) {
    const other = seen.get(item.logicalId);
    if (other) problems.push(`${item.folder}/.platform: config.logicalId ${item.logicalId} is also used by ${other}; each item needs its own.`);
    seen.set(item.logicalId, item.folder);
    const sameName = items.find((i) => i !== item && i.type === item.type && i.displayName === item.displayName);
    if (sameName && items.indexOf(sameName) < items.indexOf(item)) problems.push(`${item.folder}: another ${item.type} is also named '${item.displayName}' (${sameName.folder}); items are matched by type and name, so names must be unique.`);
  }
  if (problems.length > 0) throw new Error(`Invalid Fabric items under ${root}:\n  ${problems.join("\n  ")}`);
  return items.sort((a, b) => rank(a.type) - rank(b.type) || a.displayName.localeCompare(b.displayName));
}

function rank(type: string): number {
  return FABRIC_ITEM_ORDER.indexOf(type as FabricItemType);
}

async function findItemFolders(root: string, relative: string): Promise<string[]> {
  const entries = await fs.readdir(path.join(root, relative), { withFileTypes: true });
  const found: string[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    const hasPlatform = await fs.stat(path.join(root, child, ".platform")).then(() => true, () => false);
    if (hasPlatform) found.push(child);
    // Nested exports keep child items (the KQL database) under <Eventhouse>/.children/.
    if (hasPlatform) {
      const children = path.join(root, child, ".children");
      if (await fs.stat(children).then((s) => s.isDirectory(), () => false)) found.push(...(await findItemFolders(root, `${child}/.children`)));
    } else if (!entry.name.startsWith(".")) {
      found.push(...(await findItemFolders(root, child)));
    }
  }
  return found;
}

async function loadItem(root: string, folder: string): Promise<FabricItemSource> {
  const platformPath = `${folder}/.platform`;
  let platform: PlatformFile;
  try {
    platform = JSON.parse(await fs.readFile(path.join(root, platformPath), "utf8")) as PlatformFile;
  } catch (error) {
    throw new Error(`${platformPath}: not valid JSON (${(error as Error).message})`);
  }
  const type = platform.metadata?.type;
  const displayName = platform.metadata?.displayName;
  const logicalId = platform.config?.logicalId;
  const missing = [typeof type === "string" ? "" : "metadata.type", typeof displayName === "string" && displayName ? "" : "metadata.displayName", typeof logicalId === "string" && logicalId ? "" : "config.logicalId"].filter(Boolean);
  if (missing.length > 0) throw new Error(`${platformPath}: missing ${missing.join(", ")}`);
  if (rank(type as string) < 0) throw new Error(`${platformPath}: metadata.type '${String(type)}' is not one the deploy stage publishes (expected one of ${FABRIC_ITEM_ORDER.join(", ")})`);
  const folderName = path.posix.basename(folder);
  if (folderName !== `${String(displayName)}.${String(type)}`) throw new Error(`${platformPath}: the folder should be named '${String(displayName)}.${String(type)}' to match metadata.displayName and metadata.type`);
  const parts: { path: string; text: string }[] = [];
  for (const file of await listFiles(path.join(root, folder), "")) {
    // Git-integration metadata, not definition parts: .schedules is applied through the Job Scheduler.
    if (file === ".platform" || file === ".schedules") continue;
    parts.push({ path: file, text: await fs.readFile(path.join(root, folder, file), "utf8") });
  }
  if (parts.length === 0) throw new Error(`${folder}: no definition files beside .platform`);
  return {
    logicalId: logicalId as string,
    type: type as string,
    displayName: displayName as string,
    description: typeof platform.metadata?.description === "string" ? platform.metadata.description : "",
    folder,
    parts,
  };
}

async function listFiles(dir: string, relative: string): Promise<string[]> {
  const entries = await fs.readdir(path.join(dir, relative), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      // Child items have their own definitions.
      if (entry.name !== ".children") files.push(...(await listFiles(dir, child)));
    } else {
      files.push(child);
    }
  }
  return files;
}
