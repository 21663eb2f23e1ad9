import { fail, pass, type PreflightCheck } from "./preflight-check";
import { readJson } from "./read-json";

const PROVIDERS_API_VERSION = "2021-04-01";

/** The subscription is visible to the identity, and every resource provider the stack uses is registered in it. */
export async function checkSubscription(armUrl: string, armToken: string, subscriptionId: string | undefined, providers: readonly string[]): Promise<PreflightCheck[]> {
  if (!subscriptionId) {
    return [fail("subscription", "no subscription named", "set AZURE_SUBSCRIPTION_ID (ARM_SUBSCRIPTION_ID for Terraform) to the target subscription"), fail("resource providers", "not checked without a subscription", "set AZURE_SUBSCRIPTION_ID")];
  }
  const base = `${armUrl.replace(/\/+$/, "")}/subscriptions/${encodeURIComponent(subscriptionId)}`;
  const subscription = await readJson(`${base}?api-version=2022-12-01`, armToken);
  if (subscription.status !== 200) {
    return [
      fail("subscription", `subscription ${subscriptionId} not found (HTTP ${subscription.status} ${subscription.errorCode})`, "check AZURE_SUBSCRIPTION_ID and give the identity a role on the subscription (az role assignment create)"),
      fail("resource providers", "not checked without a readable subscription", "fix the subscription check first"),
    ];
  }
  const unregistered: string[] = [];
  for (const namespace of providers) {
    const provider = await readJson(`${base}/providers/${namespace}?api-version=${PROVIDERS_API_VERSION}`, armToken);
    const state = provider.status === 200 ? String(provider.body.registrationState) : `HTTP ${provider.status} ${provider.errorCode}`;
    if (state !== "Registered") unregistered.push(`${namespace} (${state})`);
  }
  const providersCheck =
    unregistered.length === 0
      ? pass("resource providers", `registered: ${providers.join(", ")}`)
      : fail("resource providers", `not registered: ${unregistered.join(", ")}`, unregistered.map((entry) => `az provider register --namespace ${entry.split(" ")[0]}`).join("; "));
  return [pass("subscription", `${String(subscription.body.displayName)} (${subscriptionId})`), providersCheck];
}
