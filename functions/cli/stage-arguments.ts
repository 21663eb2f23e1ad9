import { parseArgs } from "node:util";
import { BATCH_CONTAINER } from "../ingestion/learner-response";
import { StageError } from "../ingestion/stage-error";
import { DEFAULT_STAGE_OPTIONS } from "../ingestion/stage-options";

/** Where the batches go: a connection string (Azurite, or a key-based account) or an account URL with an identity. */
export type StageStorage = { readonly kind: "connection-string"; readonly connectionString: string } | { readonly kind: "account-url"; readonly accountUrl: string };

export interface StageCommandConfig {
  readonly dataDir: string;
  /** Null only with dryRun: validation and planning need no storage. */
  readonly storage: StageStorage | null;
  readonly container: string;
  readonly minResponses: number;
  readonly timeZone: string;
  readonly fileNamePattern: RegExp;
  readonly concurrency: number;
  readonly quarantineFile: string;
  /** Parent of the run's spill folder; null for the system temporary folder. */
  readonly workDir: string | null;
  readonly summaryFile: string | null;
  readonly json: boolean;
  readonly dryRun: boolean;
  readonly help: boolean;
}

export const STAGE_CONNECTION_STRING_ENV = "STAGE_STORAGE_CONNECTION_STRING";
export const STAGE_ACCOUNT_URL_ENV = "BATCH_STORAGE_ACCOUNT_URL";
export const DEFAULT_QUARANTINE_FILE = ".local/quarantine.jsonl";

export const STAGE_USAGE = `Usage: npm run stage -- --data <dir> [options]

Validates a learner-response dataset, groups it into hourly batches per test and uploads them to Blob Storage.

Storage (one of):
  --connection-string <cs>  storage connection string, e.g. Azurite's   [env ${STAGE_CONNECTION_STRING_ENV}]
  --account-url <url>       https://<account>.blob.core.windows.net, signed in with DefaultAzureCredential
                                                                       [env ${STAGE_ACCOUNT_URL_ENV}]
Options:
  --data <dir>              dataset root folder (required)
  --container <name>        blob container                      [default ${BATCH_CONTAINER}]
  --min-responses <n>       smallest batch that is staged        [default ${DEFAULT_STAGE_OPTIONS.minResponses}]
  --time-zone <iana>        zone of timestamps without offset    [default ${DEFAULT_STAGE_OPTIONS.timeZone}]
  --file-pattern <regex>    file name pattern with named groups learnerId, testId, itemId
                            [default ${DEFAULT_STAGE_OPTIONS.fileNamePattern.source}]
  --concurrency <n>         files read and batches uploaded at once [default ${DEFAULT_STAGE_OPTIONS.concurrency}]
  --quarantine <file>       JSON lines report of invalid files   [default ${DEFAULT_QUARANTINE_FILE}]
  --work-dir <dir>          where records wait on disk, grouped by hour, while the dataset is read
                            (needs about the dataset's valid records as JSON lines; removed after the run)
                                                                 [default the system temporary folder]
  --summary <file>          also write the summary as JSON to this file
  --json                    print the summary as JSON on stdout
  --dry-run                 validate and plan, upload nothing (storage optional: with it, unchanged batches are counted)
  --help                    show this help
`;

/** Reads the command line and environment into a typed configuration; a usage problem throws a StageError. */
export function parseStageArguments(argv: readonly string[], env: NodeJS.ProcessEnv): StageCommandConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        data: { type: "string" },
        "connection-string": { type: "string" },
        "account-url": { type: "string" },
        container: { type: "string", default: BATCH_CONTAINER },
        "min-responses": { type: "string" },
        "time-zone": { type: "string", default: DEFAULT_STAGE_OPTIONS.timeZone },
        "file-pattern": { type: "string" },
        concurrency: { type: "string" },
        quarantine: { type: "string", default: DEFAULT_QUARANTINE_FILE },
        "work-dir": { type: "string" },
        summary: { type: "string" },
        json: { type: "boolean", default: false },
        "dry-run": { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (error) {
    throw new StageError(`${(error as Error).message}\nRun with --help for the options.`);
  }
  const problems: string[] = [];
  const dryRun = values["dry-run"] ?? false;
  const storage = resolveStorage(values["connection-string"], values["account-url"], env, dryRun, problems);
  if (!values.help && !values.data) problems.push("--data <dir> is required: the dataset's root folder");
  const container = values.container ?? BATCH_CONTAINER;
  if (!/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/.test(container)) {
    problems.push(`--container "${container}" is not a valid container name (3-63 lowercase letters, digits and single hyphens)`);
  }
  const config: StageCommandConfig = {
    dataDir: values.data ?? "",
    storage,
    container,
    minResponses: readInteger("--min-responses", values["min-responses"], DEFAULT_STAGE_OPTIONS.minResponses, problems),
    timeZone: values["time-zone"] ?? DEFAULT_STAGE_OPTIONS.timeZone,
    fileNamePattern: readPattern(values["file-pattern"], problems),
    concurrency: readInteger("--concurrency", values.concurrency, DEFAULT_STAGE_OPTIONS.concurrency, problems),
    quarantineFile: values.quarantine ?? DEFAULT_QUARANTINE_FILE,
    workDir: values["work-dir"] ?? null,
    summaryFile: values.summary ?? null,
    json: values.json ?? false,
    dryRun,
    help: values.help ?? false,
  };
  if (problems.length > 0 && !config.help) throw new StageError(`${problems.join("\n")}\nRun with --help for the options.`);
  return config;
}

function resolveStorage(connectionString: string | undefined, accountUrl: string | undefined, env: NodeJS.ProcessEnv, dryRun: boolean, problems: string[]): StageStorage | null {
  if (connectionString && accountUrl) {
    problems.push("pass either --connection-string or --account-url, not both");
    return null;
  }
  // A flag wins over the environment; between the two variables, the connection string (local use) wins.
  if (connectionString) return { kind: "connection-string", connectionString };
  if (accountUrl) return checkedAccountUrl(accountUrl, problems);
  const envConnectionString = env[STAGE_CONNECTION_STRING_ENV];
  if (envConnectionString) return { kind: "connection-string", connectionString: envConnectionString };
  const envAccountUrl = env[STAGE_ACCOUNT_URL_ENV];
  if (envAccountUrl) return checkedAccountUrl(envAccountUrl, problems);
  if (!dryRun) {
    problems.push(
      `no storage given: pass --account-url https://<account>.blob.core.windows.net (signed in with DefaultAzureCredential, e.g. az login) ` +
        `or set ${STAGE_ACCOUNT_URL_ENV}; for Azurite pass --connection-string or set ${STAGE_CONNECTION_STRING_ENV}; or use --dry-run to only validate`,
    );
  }
  return null;
}

function checkedAccountUrl(accountUrl: string, problems: string[]): StageStorage | null {
  if (!URL.canParse(accountUrl) || !/^https?:$/.test(new URL(accountUrl).protocol)) {
    problems.push(`account URL "${accountUrl}" is not an http(s) URL (expected https://<account>.blob.core.windows.net)`);
    return null;
  }
  return { kind: "account-url", accountUrl };
}

function readInteger(flag: string, text: string | undefined, fallback: number, problems: string[]): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) problems.push(`${flag} must be a whole number, got "${text}"`);
  return Number(text);
}

function readPattern(source: string | undefined, problems: string[]): RegExp {
  if (source === undefined) return DEFAULT_STAGE_OPTIONS.fileNamePattern;
  try {
    return new RegExp(source);
  } catch (error) {
    problems.push(`--file-pattern is not a valid regular expression: ${(error as Error).message}`);
    return DEFAULT_STAGE_OPTIONS.fileNamePattern;
  }
}
