import { createHash } from "node:crypto";
import type { FabricItemSource } from "./item-folders";

/** The workspace id Fabric Git exports carry; replaced by the target workspace id on deploy. */
export const ZERO_WORKSPACE_ID = "00000000-0000-0000-0000-000000000000";

export interface ItemTemplateContext {
  readonly workspaceId: string;
  /**
   * Values of `{{name}}` tokens. A key present with `undefined` is known but not available yet (e.g. an id of a
   * connection created in this run); a token whose key is absent is an error in the item files.
   */
  readonly values: Readonly<Record<string, string | undefined>>;
  /** Repository logicalId -> deployed item id, for the items that exist already. */
  readonly deployedIds: ReadonlyMap<string, string>;
}

export interface RenderedItem {
  readonly parts: readonly { readonly path: string; readonly text: string }[];
  /** Tokens and logicalIds whose values are not known yet; empty when the definition is final. */
  readonly pending: readonly string[];
}

const TOKEN = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * Replaces `{{token}}`s, every repository logicalId of `allItems` and the all-zero workspace id. Pure, so the same
 * text is produced for planning (hash comparison) and for the request that is sent.
 */
export function renderItem(item: FabricItemSource, allItems: readonly FabricItemSource[], context: ItemTemplateContext): RenderedItem {
  const pending = new Set<string>();
  const unknown: string[] = [];
  const parts = item.parts.map((part) => {
    let text = part.text.replace(TOKEN, (match, name: string) => {
      if (!(name in context.values)) {
        unknown.push(`${item.folder}/${part.path}: unknown token {{${name}}} (known: ${Object.keys(context.values).sort().join(", ")})`);
        return match;
      }
      const value = context.values[name];
      if (value === undefined) {
        pending.add(name);
        return match;
      }
      return value;
    });
    for (const other of allItems) {
      if (!text.includes(other.logicalId)) continue;
      const id = context.deployedIds.get(other.logicalId);
      if (id) text = text.split(other.logicalId).join(id);
      else pending.add(`${other.type} '${other.displayName}'`);
    }
    text = text.split(ZERO_WORKSPACE_ID).join(context.workspaceId);
    return { path: part.path, text };
  });
  if (unknown.length > 0) throw new Error(unknown.join("\n"));
  return { parts, pending: [...pending].sort() };
}

/** A short, stable hash of what would be published; kept in the item description to detect changes. */
export function definitionHash(item: FabricItemSource, rendered: RenderedItem): string {
  const hash = createHash("sha256").update(`${item.type}\n${item.displayName}\n${item.description}\n`);
  for (const part of [...rendered.parts].sort((a, b) => a.path.localeCompare(b.path))) hash.update(`${part.path}\n${part.text.length}\n${part.text}`);
  return hash.digest("hex").slice(0, 20);
}

const HASH_MARK = /\s*\[deploy-hash:([0-9a-f]{20})\]$/;

export function describeWithHash(description: string, hash: string): string {
  return `${description.replace(HASH_MARK, "")} [deploy-hash:${hash}]`.trim();
}

export function hashFromDescription(description: string | undefined): string | undefined {
  return description?.match(HASH_MARK)?.[1];
}
