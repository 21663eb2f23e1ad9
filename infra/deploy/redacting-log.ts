/**
 * A log sink that replaces known secret values with *** before anything is written: defence in depth behind the rule
 * that no code path formats a secret into a message. `addSecret` registers a value the moment the stage reads or
 * creates it (Key Vault secrets, the salt, tokens), so it is hidden from then on.
 */
export function createRedactingLog(sink: (line: string) => void, secrets: readonly string[]): { log: (line: string) => void; redact: (text: string) => string; addSecret: (value: string) => void } {
  const known = new Set(secrets.filter((s) => s.length >= 8));
  const redact = (text: string) => {
    let out = text;
    for (const secret of known) out = out.split(secret).join("***");
    return out;
  };
  return { log: (line) => sink(redact(line)), redact, addSecret: (value) => void (value.length >= 8 && known.add(value)) };
}
