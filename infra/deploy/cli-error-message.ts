/**
 * The one line a CLI prints for a failure that stopped it: the error's first line (credential chains and SDKs add
 * pages of detail after it), or the thrown value itself when it is not an Error.
 */
export function cliErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0].trim() || "failed without a message";
}
