import { promises as fs } from "node:fs";
import * as path from "node:path";

/** A throwaway dataset folder for one test file. */
export interface DatasetFixture {
  readonly root: string;
  /** Writes files (relative path -> content) under a fresh subfolder and returns its path. */
  write(files: Record<string, string | Uint8Array>): Promise<string>;
  remove(): Promise<void>;
}

/**
 * Not under os.tmpdir(): jest's global setup empties that folder whenever a jest run starts, which would pull the
 * files from under a run already in progress.
 */
const FIXTURE_PARENT = path.join(__dirname, "..", "..", ".cache", "ingestion-tests");

export async function createDatasetFixture(): Promise<DatasetFixture> {
  await fs.mkdir(FIXTURE_PARENT, { recursive: true });
  const root = await fs.mkdtemp(path.join(FIXTURE_PARENT, "dataset-"));
  let counter = 0;
  return {
    root,
    async write(files) {
      counter += 1;
      const dir = path.join(root, `dataset-${counter}`);
      await fs.mkdir(dir, { recursive: true });
      for (const [relativePath, content] of Object.entries(files)) {
        const file = path.join(dir, relativePath);
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, content);
      }
      return dir;
    },
    remove: () => fs.rm(root, { recursive: true, force: true }),
  };
}

/** The content of a valid response file. */
export function responseJson(answerCode: unknown, timestamp: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ answerCode, timestamp, ...extra });
}
