import type { TokenCredential } from "@azure/core-auth";
import type { DeploySettings } from "../deploy-settings";
import { environmentConfigFor } from "../environment-config-for";
import { FABRIC_SCOPE } from "../fabric/fabric-token";
import { checkEntraGroup } from "./entra-group-check";
import { checkFabric } from "./fabric-checks";
import { fail, pass, skip, type PreflightCheck } from "./preflight-check";
import { requiredResourceProviders } from "./required-resource-providers";
import { signedInIdentity, type SignedInIdentity } from "./signed-in-identity";
import { checkSubscription } from "./subscription-checks";
import { checkTeamsWebhook } from "./teams-webhook-check";

const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

export interface PreflightReport {
  readonly environment: string;
  readonly ok: boolean;
  readonly checks: readonly PreflightCheck[];
}

export interface PreflightDependencies {
  readonly credential: () => TokenCredential;
  readonly log: (line: string) => void;
}

/**
 * Checks a tenant's prerequisites before a deploy changes anything: only reads (GET, and Graph's read-only
 * checkMemberGroups). Each check is printed with its fix; a check whose prerequisite failed is skipped, not failed.
 */
export async function runPreflight(environment: string, settings: DeploySettings, deps: PreflightDependencies): Promise<PreflightReport> {
  const config = environmentConfigFor(environment);
  const credential = deps.credential();
  const checks: PreflightCheck[] = [];
  const record = (...found: PreflightCheck[]) => {
    for (const check of found) {
      checks.push(check);
      const mark = check.status === "pass" ? "✓" : check.status === "fail" ? "✗" : "-";
      deps.log(`${mark} ${check.name}: ${check.detail}`);
      if (check.fix) deps.log(`    fix: ${check.fix}`);
    }
  };
  deps.log(`Preflight for ${environment} (reads only; nothing is changed)`);

  let identity: SignedInIdentity | undefined;
  try {
    identity = await signedInIdentity(credential);
    record(pass("identity", `signed in as ${identity.displayName} (object id ${identity.objectId})`));
  } catch (error) {
    record(fail("identity", `no usable Azure sign-in (${(error as Error).message})`, "az login (a laptop), or azure/login with OIDC in CI (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_SUBSCRIPTION_ID)"));
  }

  let groupName: string | undefined;
  if (identity) {
    const graphToken = (await credential.getToken(GRAPH_SCOPE))?.token ?? "";
    const group = await checkEntraGroup(settings.graphUrl, graphToken, settings.deployersGroupId, identity);
    groupName = group.groupName;
    record(group.check);
    record(...(await checkSubscription(settings.armUrl, identity.armToken, settings.subscriptionId, requiredResourceProviders(config))));
  } else {
    record(skip("entra group", "the signed-in identity"), skip("subscription", "the signed-in identity"), skip("resource providers", "the signed-in identity"));
  }

  let fabricToken = settings.fabricToken;
  if (!fabricToken && identity) fabricToken = (await credential.getToken(FABRIC_SCOPE))?.token;
  if (fabricToken) {
    record(
      ...(await checkFabric(
        { fabricApiUrl: settings.fabricApiUrl, token: fabricToken, workspaceId: settings.fabricWorkspaceId, capacityId: settings.fabricCapacityId, groupId: settings.deployersGroupId, groupName },
        identity,
      )),
    );
  } else {
    record(skip("fabric api for service principals", "a Fabric token"), skip("fabric workspace and capacity", "a Fabric token"), skip("workspace role", "a Fabric token"));
  }
  record(await checkTeamsWebhook(settings.teamsWebhookUrl));

  const failed = checks.filter((check) => check.status !== "pass").length;
  deps.log(failed === 0 ? `Preflight passed: ${checks.length} checks.` : `Preflight: ${failed} of ${checks.length} checks did not pass; fix them before deploying.`);
  return { environment, ok: failed === 0, checks };
}
