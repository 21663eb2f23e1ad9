const PLACEHOLDER = /\$\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/** Names of the `${name}` placeholders a script uses, in first-use order. */
export function placeholderNames(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/**
 * Replaces every `${name}` with its value (Flyway style). The checksum is taken over the committed text, so
 * per-environment values never count as an edit. Fails naming every placeholder without a value.
 */
export function substitutePlaceholders(fileName: string, text: string, values: Readonly<Record<string, string>>): string {
  const missing = placeholderNames(text).filter((name) => !(name in values));
  if (missing.length > 0) {
    throw new Error(`${fileName}: no value for placeholder(s) ${missing.map((n) => "${" + n + "}").join(", ")}; pass them in the placeholders`);
  }
  return text.replace(PLACEHOLDER, (_match, name: string) => values[name]);
}
