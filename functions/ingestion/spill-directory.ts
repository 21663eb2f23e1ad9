import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";

const SPILL_DIRECTORY_PATTERN = /^lrp-stage-(\d+)-[0-9a-f]+$/;

/**
 * Creates this run's spill folder `lrp-stage-<pid>-<random>` under `parent` (created if missing), readable by this
 * user only as it holds learner ids. First removes the spill folders left by runs whose process is gone (killed, or
 * the machine restarted), so a crash leaves nothing behind after the next run. A folder whose process id is alive
 * is kept, even if that id now belongs to another program: wrongly keeping one is safe, wrongly deleting is not.
 * The work folder must be local to this machine, since process ids are.
 */
export async function createSpillDirectory(parent: string): Promise<string> {
  await fs.mkdir(parent, { recursive: true });
  await removeStaleSpillDirectories(parent);
  const directory = path.join(parent, `lrp-stage-${process.pid}-${randomBytes(8).toString("hex")}`);
  await fs.mkdir(directory, { mode: 0o700 });
  return directory;
}

async function removeStaleSpillDirectories(parent: string): Promise<void> {
  for (const name of await fs.readdir(parent)) {
    const match = SPILL_DIRECTORY_PATTERN.exec(name);
    if (match && !isProcessAlive(Number(match[1]))) await fs.rm(path.join(parent, name), { recursive: true, force: true });
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    // Signal 0 checks that the process exists without signalling it.
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
