/**
 * What real Fabric exports of each item type always carry, recorded from exported items so the files in pipelines/
 * are held against Fabric's own output and not only the docs. Each rule names its item type, its file and its sources;
 * `check` returns one message per difference (empty when the file matches the record).
 */
export interface ExportedItemFiles {
  /** Folder relative to the items root, e.g. `LearnerEventhouse.Eventhouse/.children/LearnerResponses.KQLDatabase`. */
  readonly folder: string;
  readonly type: string;
  /** Every file of the item folder (child items excluded), by path relative to it, including `.platform` and `.schedules`. */
  readonly files: ReadonlyMap<string, string>;
}

export interface ExportRule {
  readonly id: string;
  /** An item type, or "*" for every item. */
  readonly itemType: string;
  readonly file: string;
  readonly requirement: string;
  readonly sources: readonly string[];
  check(item: ExportedItemFiles): string[];
}

const CICD_SAMPLE = "https://github.com/microsoft/fabric-cicd/tree/main/sample/workspace";
const GIT_FORMAT_DOCS = "https://learn.microsoft.com/fabric/cicd/git-integration/source-code-format";
const EVENTSTREAM_DEFINITION_DOCS = "https://learn.microsoft.com/rest/api/fabric/articles/item-management/definitions/eventstream-definition";
const EVENTSTREAM_DESTINATION_SPEC = "https://github.com/microsoft/fabric-rest-api-specs/blob/main/eventstream/definitions/destination.json";
const EVENTHOUSE_DIRECT_INGESTION_API_DOCS = "https://learn.microsoft.com/fabric/real-time-intelligence/event-streams/api-kusto-pull-destination";
/** The properties each Eventhouse ingestion mode needs (EventhouseDirectIngestion/ProcessedIngestionModeDestinationProperties of the spec). */
const EVENTHOUSE_DESTINATION_KEYS: Record<string, readonly string[]> = {
  DirectIngestion: ["workspaceId", "itemId", "tableName", "connectionName", "mappingRuleName"],
  ProcessedIngestion: ["workspaceId", "itemId", "databaseName", "tableName", "inputSerialization"],
};
const KQL_DATABASE_DEFINITION_DOCS = "https://learn.microsoft.com/rest/api/fabric/articles/item-management/definitions/kql-database-definition";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Eventstream node names in exports: 3-63 letters and digits (Fabric's guides say hyphens are rejected). */
export const EVENTSTREAM_NODE_NAME = /^[A-Za-z0-9]{3,63}$/;

function json(item: ExportedItemFiles, file: string, problems: string[]): Record<string, unknown> | undefined {
  const text = item.files.get(file);
  if (text === undefined) {
    problems.push(`${item.folder}/${file}: missing`);
    return undefined;
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    problems.push(`${item.folder}/${file}: not JSON (${(error as Error).message})`);
    return undefined;
  }
}

function requireKeys(where: string, value: Record<string, unknown> | undefined, keys: readonly string[], problems: string[]): void {
  if (!value) return;
  for (const key of keys) if (!(key in value)) problems.push(`${where}: missing ${key}`);
}

type EventstreamNode = { name?: unknown; type?: unknown; properties?: Record<string, unknown>; inputNodes?: { name?: unknown }[] };

function eventstreamNodes(item: ExportedItemFiles, problems: string[]): { group: string; node: EventstreamNode }[] {
  const document = json(item, "eventstream.json", problems);
  if (!document) return [];
  return (["sources", "destinations", "streams", "operators"] as const).flatMap((group) => ((document[group] as EventstreamNode[] | undefined) ?? []).map((node) => ({ group, node })));
}

export const EXPORT_RECORD: readonly ExportRule[] = [
  {
    id: "FX-PLATFORM",
    itemType: "*",
    file: ".platform",
    requirement: "$schema platformProperties 2.0.0, metadata.type and metadata.displayName, config.version 2.0 and a GUID config.logicalId",
    sources: [`${CICD_SAMPLE}/SampleEventhouse.Eventhouse/.children/TaxiDB.KQLDatabase/.platform`, GIT_FORMAT_DOCS],
    check(item) {
      const problems: string[] = [];
      const platform = json(item, ".platform", problems) as { $schema?: string; metadata?: Record<string, unknown>; config?: Record<string, unknown> } | undefined;
      if (!platform) return problems;
      const where = `${item.folder}/.platform`;
      if (platform.$schema !== "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/platformProperties/2.0.0/schema.json") problems.push(`${where}: $schema should be the platformProperties 2.0.0 schema`);
      if (platform.metadata?.type !== item.type) problems.push(`${where}: metadata.type should be ${item.type}`);
      if (typeof platform.metadata?.displayName !== "string") problems.push(`${where}: missing metadata.displayName`);
      if (platform.config?.version !== "2.0") problems.push(`${where}: config.version should be "2.0"`);
      if (typeof platform.config?.logicalId !== "string" || !GUID.test(platform.config.logicalId)) problems.push(`${where}: config.logicalId should be a GUID`);
      return problems;
    },
  },
  {
    id: "FX-ES-SHAPE",
    itemType: "Eventstream",
    file: "eventstream.json",
    requirement: "sources, destinations, streams, operators and compatibilityLevel at the top level; eventstreamProperties.json beside it",
    sources: [`${CICD_SAMPLE}/SampleEventstream.Eventstream/eventstream.json`, EVENTSTREAM_DEFINITION_DOCS],
    check(item) {
      const problems: string[] = [];
      requireKeys(`${item.folder}/eventstream.json`, json(item, "eventstream.json", problems), ["sources", "destinations", "streams", "operators", "compatibilityLevel"], problems);
      requireKeys(`${item.folder}/eventstreamProperties.json`, json(item, "eventstreamProperties.json", problems), ["retentionTimeInDays", "eventThroughputLevel"], problems);
      return problems;
    },
  },
  {
    id: "FX-ES-NAMES",
    itemType: "Eventstream",
    file: "eventstream.json",
    requirement: "source, destination and operator names are 3-63 letters and digits (the default stream's name aside); names are unique",
    sources: [`${CICD_SAMPLE}/SampleEventstream.Eventstream/eventstream.json`, "https://learn.microsoft.com/fabric/real-time-intelligence/event-streams/add-manage-eventstream-sources"],
    check(item) {
      const problems: string[] = [];
      const nodes = eventstreamNodes(item, problems);
      const seen = new Set<string>();
      for (const { group, node } of nodes) {
        const name = String(node.name);
        if (seen.has(name)) problems.push(`${item.folder}/eventstream.json: ${group} name '${name}' is used twice`);
        seen.add(name);
        if (group !== "streams" && !EVENTSTREAM_NODE_NAME.test(name)) problems.push(`${item.folder}/eventstream.json: ${group} name '${name}' should be 3-63 letters and digits (no hyphens)`);
      }
      return problems;
    },
  },
  {
    id: "FX-ES-INPUTS",
    itemType: "Eventstream",
    file: "eventstream.json",
    requirement: "every inputNodes entry names a node of the same eventstream",
    sources: [`${CICD_SAMPLE}/SampleEventstream.Eventstream/eventstream.json`],
    check(item) {
      const problems: string[] = [];
      const nodes = eventstreamNodes(item, problems);
      const names = new Set(nodes.map(({ node }) => String(node.name)));
      for (const { node } of nodes) for (const input of node.inputNodes ?? []) if (!names.has(String(input.name))) problems.push(`${item.folder}/eventstream.json: '${String(node.name)}' reads from '${String(input.name)}', which is no node`);
      return problems;
    },
  },
  {
    id: "FX-ES-EVENTHOUSE",
    itemType: "Eventstream",
    file: "eventstream.json",
    requirement:
      "an Eventhouse destination carries the properties of its dataIngestionMode: DirectIngestion workspaceId, itemId, tableName, connectionName and mappingRuleName (the Eventhouse creates the named data connection and applies the table's mapping); ProcessedIngestion workspaceId, itemId, databaseName, tableName and inputSerialization",
    sources: [EVENTSTREAM_DESTINATION_SPEC, EVENTHOUSE_DIRECT_INGESTION_API_DOCS, "https://learn.microsoft.com/fabric/real-time-intelligence/event-streams/add-destination-kql-database"],
    check(item) {
      const problems: string[] = [];
      for (const { node } of eventstreamNodes(item, problems).filter(({ node }) => node.type === "Eventhouse")) {
        const where = `${item.folder}/eventstream.json: destination '${String(node.name)}'`;
        const mode = node.properties?.dataIngestionMode;
        const keys = EVENTHOUSE_DESTINATION_KEYS[String(mode)];
        if (!keys) problems.push(`${where}: dataIngestionMode should be DirectIngestion or ProcessedIngestion, not ${String(mode)}`);
        else requireKeys(`${where} properties (${String(mode)})`, node.properties, keys, problems);
      }
      return problems;
    },
  },
  {
    id: "FX-KQLDB-PARTS",
    itemType: "KQLDatabase",
    file: "DatabaseProperties.json, DatabaseSchema.kql",
    requirement: "DatabaseProperties.json with databaseType and parentEventhouseItemId, and DatabaseSchema.kql beside it",
    sources: [`${CICD_SAMPLE}/SampleEventhouse.Eventhouse/.children/TaxiDB.KQLDatabase/DatabaseProperties.json`, KQL_DATABASE_DEFINITION_DOCS],
    check(item) {
      const problems: string[] = [];
      requireKeys(`${item.folder}/DatabaseProperties.json`, json(item, "DatabaseProperties.json", problems), ["databaseType", "parentEventhouseItemId"], problems);
      if (!item.files.has("DatabaseSchema.kql")) problems.push(`${item.folder}/DatabaseSchema.kql: missing (exports always carry the schema script)`);
      return problems;
    },
  },
  {
    id: "FX-KQLDB-NESTED",
    itemType: "KQLDatabase",
    file: "(folder)",
    requirement: "the KQL database is nested under its Eventhouse in .children/, as current Git integration exports it",
    sources: [`${CICD_SAMPLE}/SampleEventhouse.Eventhouse/.children/TaxiDB.KQLDatabase`],
    check(item) {
      return /\.Eventhouse\/\.children\/[^/]+\.KQLDatabase$/.test(item.folder) ? [] : [`${item.folder}: a KQL database belongs under <Eventhouse>.Eventhouse/.children/`];
    },
  },
  {
    id: "FX-SCHEDULES",
    itemType: "*",
    file: ".schedules",
    requirement: "when present: $schema schedules 1.0.0 and schedules[] of { enabled, jobType, configuration { type, startDateTime, endDateTime, localTimeZoneId, interval } }",
    sources: [`${CICD_SAMPLE}/Run Hello World_copy.DataPipeline/.schedules`],
    check(item) {
      if (!item.files.has(".schedules")) return [];
      const problems: string[] = [];
      const document = json(item, ".schedules", problems) as { $schema?: string; schedules?: Record<string, unknown>[] } | undefined;
      if (!document) return problems;
      const where = `${item.folder}/.schedules`;
      if (document.$schema !== "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/schedules/1.0.0/schema.json") problems.push(`${where}: $schema should be the schedules 1.0.0 schema`);
      if (!Array.isArray(document.schedules)) return [...problems, `${where}: missing schedules[]`];
      document.schedules.forEach((schedule, i) => {
        requireKeys(`${where}: schedules[${i}]`, schedule, ["enabled", "jobType", "configuration"], problems);
        requireKeys(`${where}: schedules[${i}].configuration`, schedule.configuration as Record<string, unknown> | undefined, ["type", "startDateTime", "endDateTime", "localTimeZoneId", "interval"], problems);
      });
      return problems;
    },
  },
  {
    id: "FX-PIPELINE-DATASETS",
    itemType: "DataPipeline",
    file: "pipeline-content.json",
    requirement: "properties.activities[] each with name, type and typeProperties; every datasetSettings carries type and typeProperties",
    sources: [`${CICD_SAMPLE}/Run Hello World_copy.DataPipeline/pipeline-content.json`, "https://learn.microsoft.com/rest/api/fabric/articles/item-management/definitions/datapipeline-definition"],
    check(item) {
      const problems: string[] = [];
      const document = json(item, "pipeline-content.json", problems) as { properties?: { activities?: Record<string, unknown>[] } } | undefined;
      if (!document) return problems;
      if (!Array.isArray(document.properties?.activities)) return [`${item.folder}/pipeline-content.json: missing properties.activities`];
      const visit = (value: unknown, path: string) => {
        if (Array.isArray(value)) value.forEach((entry, i) => visit(entry, `${path}[${i}]`));
        else if (value && typeof value === "object") {
          for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
            if (key === "datasetSettings") requireKeys(`${item.folder}/pipeline-content.json: ${path}.datasetSettings`, child as Record<string, unknown>, ["type", "typeProperties"], problems);
            visit(child, `${path}.${key}`);
          }
        }
      };
      document.properties.activities.forEach((activity, i) => requireKeys(`${item.folder}/pipeline-content.json: activities[${i}]`, activity, ["name", "type", "typeProperties"], problems));
      visit(document.properties.activities, "activities");
      return problems;
    },
  },
  {
    id: "FX-DASHBOARD-SHAPE",
    itemType: "KQLDashboard",
    file: "RealTimeDashboard.json",
    requirement: "schema_version, title, autoRefresh, pages, tiles, queries, parameters and dataSources at the top level; each tile has a visualOptions object; each query is used exactly once",
    sources: [`${CICD_SAMPLE}/HelloDashboard.KQLDashboard/RealTimeDashboard.json`, "https://learn.microsoft.com/rest/api/fabric/articles/item-management/definitions/kql-dashboard-definition"],
    check(item) {
      const problems: string[] = [];
      const document = json(item, "RealTimeDashboard.json", problems);
      requireKeys(`${item.folder}/RealTimeDashboard.json`, document, ["schema_version", "title", "autoRefresh", "pages", "tiles", "queries", "parameters", "dataSources"], problems);
      const tiles = (document?.tiles as { id?: string; visualOptions?: unknown; queryRef?: { queryId?: string } }[] | undefined) ?? [];
      for (const tile of tiles) if (!tile.visualOptions || typeof tile.visualOptions !== "object") problems.push(`${item.folder}/RealTimeDashboard.json: tile ${String(tile.id)} has no visualOptions object`);
      const used = tiles.map((tile) => tile.queryRef?.queryId);
      for (const query of (document?.queries as { id: string }[] | undefined) ?? []) {
        const count = used.filter((id) => id === query.id).length;
        if (count !== 1) problems.push(`${item.folder}/RealTimeDashboard.json: query ${query.id} is used by ${count} tiles, expected 1`);
      }
      return problems;
    },
  },
];

/** Every difference between the items and the record, one line each. */
export function checkAgainstExportRecord(items: readonly ExportedItemFiles[], rules: readonly ExportRule[] = EXPORT_RECORD): string[] {
  return items.flatMap((item) => rules.filter((rule) => rule.itemType === "*" || rule.itemType === item.type).flatMap((rule) => rule.check(item).map((problem) => `${rule.id}: ${problem}`)));
}
