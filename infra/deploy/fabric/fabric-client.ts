import type { FabricHttp } from "./fabric-http";
import type { CreateConnectionRequest, CreateItemRequest, FabricConnection, FabricItem, ItemDefinition, ItemSchedule, KqlDatabaseProperties, ScheduleConfiguration, UpdateConnectionRequest } from "./fabric-types";

/** The Fabric REST operations the deploy stage uses, for one workspace. */
export interface FabricClient {
  readonly workspaceId: string;
  listItems(type?: string): Promise<FabricItem[]>;
  createItem(request: CreateItemRequest): Promise<FabricItem>;
  updateItemDefinition(itemId: string, definition: ItemDefinition): Promise<void>;
  updateItemDescription(itemId: string, description: string): Promise<void>;
  getItemDefinition(itemId: string): Promise<ItemDefinition>;
  deleteItem(itemId: string): Promise<void>;
  getKqlDatabase(itemId: string): Promise<KqlDatabaseProperties>;
  listConnections(): Promise<FabricConnection[]>;
  createConnection(request: CreateConnectionRequest): Promise<FabricConnection>;
  updateConnection(connectionId: string, request: UpdateConnectionRequest): Promise<void>;
  deleteConnection(connectionId: string): Promise<void>;
  listItemSchedules(itemId: string, jobType: string): Promise<ItemSchedule[]>;
  createItemSchedule(itemId: string, jobType: string, configuration: ScheduleConfiguration): Promise<ItemSchedule>;
  updateItemSchedule(itemId: string, jobType: string, scheduleId: string, configuration: ScheduleConfiguration): Promise<void>;
}

interface Page<T> {
  readonly value?: T[];
  readonly continuationToken?: string;
  readonly continuationUri?: string;
}

/** Every element of a paged Fabric list, following continuationUri (or continuationToken). */
export async function listAllPages<T>(http: FabricHttp, firstPath: string): Promise<T[]> {
  const all: T[] = [];
  let next: string | undefined = firstPath;
  while (next) {
    const page: Page<T> = (await http.send<Page<T>>("GET", next)) ?? {};
    all.push(...(page.value ?? []));
    if (page.continuationUri) next = page.continuationUri;
    else if (page.continuationToken) next = `${firstPath}${firstPath.includes("?") ? "&" : "?"}continuationToken=${encodeURIComponent(page.continuationToken)}`;
    else next = undefined;
  }
  return all;
}

export function createFabricClient(http: FabricHttp, workspaceId: string): FabricClient {
  const ws = `/workspaces/${encodeURIComponent(workspaceId)}`;
  const listAll = <T>(firstPath: string) => listAllPages<T>(http, firstPath);

  return {
    workspaceId,
    listItems: (type) => listAll<FabricItem>(`${ws}/items${type ? `?type=${encodeURIComponent(type)}` : ""}`),
    async createItem(request) {
      const item = await http.send<FabricItem>("POST", `${ws}/items`, request);
      if (!item?.id) throw new Error(`Fabric created ${request.type} '${request.displayName}' but returned no item id.`);
      return item;
    },
    async updateItemDefinition(itemId, definition) {
      await http.send("POST", `${ws}/items/${itemId}/updateDefinition`, { definition });
    },
    async updateItemDescription(itemId, description) {
      await http.send("PATCH", `${ws}/items/${itemId}`, { description });
    },
    async getItemDefinition(itemId) {
      const result = await http.send<{ definition?: ItemDefinition }>("POST", `${ws}/items/${itemId}/getDefinition`);
      return result?.definition ?? { parts: [] };
    },
    async deleteItem(itemId) {
      await http.send("DELETE", `${ws}/items/${itemId}`);
    },
    async getKqlDatabase(itemId) {
      const item = await http.send<{ displayName?: string; properties?: Partial<KqlDatabaseProperties> }>("GET", `${ws}/kqlDatabases/${itemId}`);
      const queryServiceUri = item?.properties?.queryServiceUri;
      if (!queryServiceUri) throw new Error(`KQL database ${itemId} has no queryServiceUri yet; rerun the fabric step in a minute.`);
      return { queryServiceUri, parentEventhouseItemId: item.properties?.parentEventhouseItemId, databaseName: item.properties?.databaseName ?? item.displayName };
    },
    listConnections: () => listAll<FabricConnection>("/connections"),
    async createConnection(request) {
      const created = await http.send<FabricConnection>("POST", "/connections", request);
      if (!created?.id) throw new Error(`Fabric created connection '${request.displayName}' but returned no id.`);
      return created;
    },
    async updateConnection(connectionId, request) {
      await http.send("PATCH", `/connections/${connectionId}`, request);
    },
    async deleteConnection(connectionId) {
      await http.send("DELETE", `/connections/${connectionId}`);
    },
    listItemSchedules: (itemId, jobType) => listAll<ItemSchedule>(`${ws}/items/${itemId}/jobs/${encodeURIComponent(jobType)}/schedules`),
    async createItemSchedule(itemId, jobType, configuration) {
      return http.send<ItemSchedule>("POST", `${ws}/items/${itemId}/jobs/${encodeURIComponent(jobType)}/schedules`, { enabled: true, configuration });
    },
    async updateItemSchedule(itemId, jobType, scheduleId, configuration) {
      await http.send("PATCH", `${ws}/items/${itemId}/jobs/${encodeURIComponent(jobType)}/schedules/${scheduleId}`, { enabled: true, configuration });
    },
  };
}
