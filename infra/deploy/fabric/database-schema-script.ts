import { promises as fs } from "node:fs";
import * as path from "node:path";

/** Where the KQL database item keeps its schema script (Fabric Git format). */
export const DATABASE_SCHEMA_FILE = "pipelines/LearnerEventhouse.Eventhouse/.children/LearnerResponses.KQLDatabase/DatabaseSchema.kql";

const HEADER = [
  "// Generated from the versioned scripts in kql/ (infra/deploy/fabric/database-schema-script.ts): tables and ingestion mappings.",
  "// Fabric applies this script additively when the item syncs, so the tables and the mapping the Eventstream's direct",
  "// ingestion names exist before the Eventstream; functions, policies and views stay with the migration engine",
  "// (npm run deploy, step kql). Do not edit by hand.",
];

/** The commands copied: both are idempotent, take no placeholders and are supported in DatabaseSchema.kql. */
const SCHEMA_COMMAND = /^\.(create-merge table |create-or-alter table \w+ ingestion json mapping )/;

/**
 * The KQL database's DatabaseSchema.kql: every `.create-merge table` and `.create-or-alter table ... ingestion json
 * mapping` command of the versioned scripts (V<n>__*.kql, in version order), so the text is the same in every environment.
 */
export async function databaseSchemaScript(kqlDir: string): Promise<string> {
  const versioned = (await fs.readdir(kqlDir))
    .filter((name) => /^V\d+__.*\.kql$/.test(name))
    .sort((a, b) => Number(/^V(\d+)/.exec(a)?.[1]) - Number(/^V(\d+)/.exec(b)?.[1]));
  const commands: string[] = [];
  for (const name of versioned) {
    const lines = (await fs.readFile(path.join(kqlDir, name), "utf8")).split(/\r?\n/);
    for (let i = 0; i < lines.length; i += 1) {
      if (!SCHEMA_COMMAND.test(lines[i])) continue;
      // A command runs to the first blank line or the next command.
      const command: string[] = [];
      for (let j = i; j < lines.length && lines[j].trim() !== "" && (j === i || !lines[j].startsWith(".")); j += 1) command.push(lines[j]);
      commands.push(command.join("\n"));
    }
  }
  return `${[...HEADER, "", commands.join("\n\n")].join("\n")}\n`;
}
