import * as path from "node:path";
import type { DeploySettings } from "./deploy-settings";
import type { FabricClient } from "./fabric/fabric-client";
import { readFabricState } from "./fabric/fabric-deploy";
import type { DeployedKqlDatabase } from "./fabric/fabric-plan";
import { loadFabricItems } from "./fabric/item-folders";

export interface KqlTarget {
  readonly clusterUri?: string;
  readonly database: string;
  /** Why there is no cluster URI, for the plan. */
  readonly reason?: string;
}

/** Where the kql step migrates: explicit settings, else the KQL database the fabric step deployed or finds. */
export async function kqlTarget(
  settings: DeploySettings,
  deployed: DeployedKqlDatabase | undefined,
  lookup: (() => Promise<FabricClient | undefined>) | undefined,
  itemsDir: string,
): Promise<KqlTarget> {
  if (settings.kustoClusterUri) {
    if (!settings.kustoDatabase && !deployed) throw new Error("KUSTO_CLUSTER_URI is set but KUSTO_DATABASE is not");
    return { clusterUri: settings.kustoClusterUri, database: settings.kustoDatabase ?? (deployed as DeployedKqlDatabase).databaseName };
  }
  if (deployed) return { clusterUri: deployed.queryServiceUri, database: settings.kustoDatabase ?? deployed.databaseName };
  const client = lookup && (await lookup());
  if (client) {
    const state = await readFabricState(client, await loadFabricItems(path.resolve(itemsDir)));
    if (state.kqlDatabase) return { clusterUri: state.kqlDatabase.queryServiceUri, database: settings.kustoDatabase ?? state.kqlDatabase.databaseName };
  }
  return { database: settings.kustoDatabase ?? "", reason: "the KQL database does not exist in the workspace yet (the fabric step creates it)" };
}
