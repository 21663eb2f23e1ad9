import { environmentConfigFor, environmentNamesText, isEnvironmentName, kqlPlaceholdersForEnvironment } from "../deploy/environment-config-for";
import type { MigrationDialect } from "./migration-types";

export type MigrateCommand = "migrate" | "validate" | "info";

export interface MigrateArguments {
  readonly dialect: MigrationDialect;
  readonly command: MigrateCommand;
  readonly dryRun: boolean;
  readonly json: boolean;
  /** Folder of scripts. @default kql/ or sql/ under the working directory */
  readonly scriptsDir: string;
  /** The environment named by --env (dev, staging, prod or pr-<n>); required for `kql migrate`, else optional. */
  readonly environment: string | undefined;
  /** Values for the scripts' `${name}` placeholders: the environment's `analytics` configuration; none for SQL. */
  readonly placeholders: Readonly<Record<string, string>>;
  readonly appliedBy: string;
  /** Kusto: cluster (query) URI. SQL: server FQDN. */
  readonly endpoint: string;
  readonly database: string;
  readonly port: number | undefined;
}

export const MIGRATE_USAGE = `usage: npm run migrate -- <kql|sql> <migrate|validate|info> [options]
  kql: --cluster <uri> --database <name>          (or KUSTO_CLUSTER_URI, KUSTO_DATABASE)
  sql: --server <fqdn> --database <name> [--port n] (or SQL_SERVER, SQL_DATABASE, SQL_PORT)
  --dry-run            print every request migrate would send; send none
  --scripts <dir>      script folder (default kql/ or sql/)
  --env <environment>  kql: dev, staging, prod or pr-<n>, whose placeholder values migrate applies
                       (or MIGRATIONS_ENVIRONMENT); required for kql migrate, no default
  --applied-by <name>  recorded in the history (or MIGRATIONS_APPLIED_BY; default the OS user)
  --json               print the result as JSON`;

export interface MigrateArgumentErrors {
  readonly errors: string[];
  /** True when the command itself (dialect, subcommand) was wrong, so the usage text helps; option errors say the fix. */
  readonly showUsage: boolean;
}

/** Parses the command line and environment; returns every problem at once, each naming the option and the fix. */
export function parseMigrateArguments(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  defaults: { cwd: string; user: string },
): MigrateArguments | MigrateArgumentErrors {
  const errors: string[] = [];
  const positional: string[] = [];
  const options = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--dry-run" || arg === "--json") flags.add(arg);
    else if (arg.startsWith("--")) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) errors.push(`${arg} needs a value`);
      else options.set(arg, value);
      i++;
    } else positional.push(arg);
  }
  const known = new Set(["--cluster", "--server", "--database", "--port", "--scripts", "--env", "--applied-by"]);
  for (const name of options.keys()) if (!known.has(name)) errors.push(`unknown option ${name}`);

  const [dialect, command, ...rest] = positional;
  const optionErrors = errors.length;
  if (dialect !== "kql" && dialect !== "sql") errors.push(`first argument must be kql or sql, got ${dialect ?? "nothing"}`);
  if (command !== "migrate" && command !== "validate" && command !== "info") errors.push(`second argument must be migrate, validate or info, got ${command ?? "nothing"}`);
  if (rest.length > 0) errors.push(`unexpected argument(s): ${rest.join(" ")}`);
  const showUsage = errors.length > optionErrors;

  const endpoint = dialect === "sql" ? options.get("--server") ?? env.SQL_SERVER : options.get("--cluster") ?? env.KUSTO_CLUSTER_URI;
  const database = options.get("--database") ?? (dialect === "sql" ? env.SQL_DATABASE : env.KUSTO_DATABASE);
  if (!endpoint) errors.push(dialect === "sql" ? "--server <fqdn> (or SQL_SERVER) is required" : "--cluster <uri> (or KUSTO_CLUSTER_URI) is required");
  if (!database) errors.push(`--database <name> (or ${dialect === "sql" ? "SQL_DATABASE" : "KUSTO_DATABASE"}) is required`);
  const portText = options.get("--port") ?? env.SQL_PORT;
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) errors.push(`--port must be a TCP port number, got ${portText}`);
  if (flags.has("--dry-run") && command !== "migrate") errors.push("--dry-run applies to migrate only");
  // No default: applying one environment's retention and alert values to another must never happen silently.
  const environment = dialect === "kql" ? options.get("--env") || env.MIGRATIONS_ENVIRONMENT || undefined : undefined;
  if (environment === undefined && dialect === "kql" && command === "migrate") {
    errors.push(`--env <environment> (or MIGRATIONS_ENVIRONMENT) is required for kql migrate; one of ${environmentNamesText()}`);
  }
  if (environment !== undefined && !isEnvironmentName(environment)) errors.push(`--env ${environment}: unknown environment; expected ${environmentNamesText()}`);
  if (dialect === "sql" && options.has("--env")) errors.push("--env applies to kql only: the sql/ scripts have no placeholders");

  if (errors.length > 0) return { errors, showUsage };
  return {
    dialect: dialect as MigrationDialect,
    command: command as MigrateCommand,
    dryRun: flags.has("--dry-run"),
    json: flags.has("--json"),
    scriptsDir: options.get("--scripts") ?? `${defaults.cwd}/${dialect}`,
    environment,
    placeholders: dialect === "kql" && environment !== undefined ? kqlPlaceholdersForEnvironment(environmentConfigFor(environment)) : {},
    appliedBy: options.get("--applied-by") ?? env.MIGRATIONS_APPLIED_BY ?? defaults.user,
    endpoint: endpoint as string,
    database: database as string,
    port,
  };
}
