import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { brokenLinks } from "./broken-links";
import { configurationDrift, documentedVariables, variablesReadByCode } from "./configuration-drift";
import { undefinedScriptsAndFlags } from "./documented-commands";
import { githubSlug } from "./markdown-document";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const FIXTURES = path.join(__dirname, "fixtures");

describe("the repository's documentation", () => {
  test("has no broken relative link or anchor in README.md, CONTRIBUTING.md or docs/", () => {
    expect(brokenLinks(PROJECT_ROOT)).toEqual([]);
  });

  test("documents only npm scripts and CLI flags that exist", () => {
    expect(undefinedScriptsAndFlags(PROJECT_ROOT)).toEqual([]);
  });

  test("documents in docs/configuration.md exactly the environment variables the code reads (plus marked external ones)", () => {
    expect(configurationDrift(PROJECT_ROOT)).toEqual([]);
  });

  test("finds the variables of every kind of reader (so an empty drift is not an empty scan)", () => {
    const read = variablesReadByCode(PROJECT_ROOT);
    // process.env.X, a settings reader's text("X"), env.X of a settings object, a REQUIRED list, a destructuring.
    for (const name of ["TEAMS_WEBHOOK_URL", "EVENTHUB_NAME", "EVENTHUB__fullyQualifiedNamespace", "USER", "MIGRATIONS_APPLIED_BY", "TFSTATE_CONTAINER", "GITHUB_RUN_ID"]) {
      expect(read.has(name)).toBe(true);
    }
    expect(documentedVariables(PROJECT_ROOT).length).toBeGreaterThanOrEqual(read.size);
  });
});

describe("GitHub's heading anchors", () => {
  test.each([
    ["`npm start`: the whole ingestion path on this machine", "npm-start-the-whole-ingestion-path-on-this-machine"],
    ["The migration engine: `npm run migrate -- <kql|sql> <migrate|validate|info> [options]`", "the-migration-engine-npm-run-migrate----kqlsql-migratevalidateinfo-options"],
    ["1. Prerequisites (once per tenant / subscription)", "1-prerequisites-once-per-tenant--subscription"],
    ["`EVENTHUB__fullyQualifiedNamespace` and [links](x.md)", "eventhub__fullyqualifiednamespace-and-links"],
  ])("%s -> #%s", (heading, anchor) => {
    expect(githubSlug(heading)).toBe(anchor);
  });
});

describe("the drift checks on fixtures", () => {
  let workDir: string;
  beforeEach(() => {
    workDir = mkdtempSync(path.join(tmpdir(), "docs-drift-"));
  });
  afterEach(() => {
    rmSync(workDir, { recursive: true, force: true });
  });
  /** The clean fixture with one planted defect copied over it. */
  const fixture = (planted?: string) => {
    cpSync(path.join(FIXTURES, "clean"), workDir, { recursive: true });
    if (planted) cpSync(path.join(FIXTURES, "planted", planted), workDir, { recursive: true });
    return workDir;
  };

  test("pass on the clean fixture", () => {
    const root = fixture();
    expect(brokenLinks(root)).toEqual([]);
    expect(undefinedScriptsAndFlags(root)).toEqual([]);
    expect(configurationDrift(root)).toEqual([]);
  });

  test("fails when a link points to a heading that does not exist", () => {
    expect(brokenLinks(fixture("broken-link"))).toEqual(["docs/broken-link.md:3: guide.md#usage -> docs/guide.md has no heading with the anchor #usage"]);
  });

  test("fails when a link points to a file that does not exist", () => {
    expect(brokenLinks(fixture("broken-file-link"))).toEqual(["docs/broken-file-link.md:3: deploy-walkthrough.md -> docs/deploy-walkthrough.md does not exist"]);
  });

  test("fails when a documented command has a flag its code does not define", () => {
    expect(undefinedScriptsAndFlags(fixture("missing-flag"))).toEqual(["docs/missing-flag.md:4: npm start has no flag --summary (not defined in local/start.ts or the modules it imports)"]);
  });

  test("fails when an option table lists a flag the section's command does not define", () => {
    expect(undefinedScriptsAndFlags(fixture("missing-option"))).toEqual(["docs/missing-option.md:8: npm start has no flag --verbose (not defined in local/start.ts or the modules it imports)"]);
  });

  test("fails when a documented npm script is not in package.json", () => {
    expect(undefinedScriptsAndFlags(fixture("missing-script"))).toEqual(["docs/missing-script.md:3: npm run greet:loud is not a script of package.json"]);
  });

  test("fails when the code reads a variable docs/configuration.md does not list", () => {
    expect(configurationDrift(fixture("undocumented-variable"))).toEqual(["GREETING_COLOUR is read by functions/greeting-colour.ts but is not in the table of docs/configuration.md"]);
  });

  test("fails when docs/configuration.md lists a variable no code reads", () => {
    expect(configurationDrift(fixture("unread-variable"))).toEqual([
      'docs/configuration.md:8: GREETING_LANGUAGE is documented as read by `npm start`, but no code in functions, infra, local, bench, kql reads it (or mark the reader "external: <tool>")',
    ]);
  });
});
