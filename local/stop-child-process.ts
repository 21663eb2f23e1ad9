import type { ChildProcess } from "node:child_process";

/** Sends SIGTERM and resolves once the child has exited (at once if it already has). */
export function stopChildProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
