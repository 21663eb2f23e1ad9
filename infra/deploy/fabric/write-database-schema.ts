import { promises as fs } from "node:fs";
import * as path from "node:path";
import { DATABASE_SCHEMA_FILE, databaseSchemaScript } from "./database-schema-script";

/** Regenerates the KQL database item's DatabaseSchema.kql from kql/: `npx ts-node --transpile-only infra/deploy/fabric/write-database-schema.ts`. */
async function main(): Promise<void> {
  const root = path.resolve(__dirname, "..", "..", "..");
  await fs.writeFile(path.join(root, DATABASE_SCHEMA_FILE), await databaseSchemaScript(path.join(root, "kql")));
  process.stdout.write(`wrote ${DATABASE_SCHEMA_FILE}\n`);
}

void main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
});
