/**
 * Who may call the alert webhook. Azure Monitor's secure webhook gets its token as the "Azure Monitor action groups"
 * first-party application and needs the ActionGroupsSecureWebhook app role on our app registration (Azure Monitor
 * action-group docs, "Secure webhook"). Built-in authentication admits only that client; the function checks again.
 */
export const AZURE_MONITOR_ACTION_GROUPS_APP_ID = "461e8683-5575-4561-ac7f-899cc907d62a";
export const ALERT_WEBHOOK_APP_ROLE = "ActionGroupsSecureWebhook";

export type CallerVerdict = { readonly allowed: true } | { readonly allowed: false; readonly status: 401 | 403; readonly reason: string };

interface ClientPrincipal {
  readonly role_typ?: string;
  readonly claims?: readonly { readonly typ: string; readonly val: string }[];
}

/**
 * Checks the principal App Service authentication forwards in X-MS-CLIENT-PRINCIPAL (base64 JSON of the validated
 * token's claims): the client application (appid for v1 tokens, azp for v2) and the app role.
 */
export function checkAlertWebhookCaller(principalHeader: string | null | undefined): CallerVerdict {
  if (!principalHeader) return { allowed: false, status: 401, reason: "caller: no authenticated principal (App Service authentication must be on)" };
  let principal: ClientPrincipal;
  try {
    principal = JSON.parse(Buffer.from(principalHeader, "base64").toString("utf8")) as ClientPrincipal;
  } catch {
    return { allowed: false, status: 401, reason: "caller: X-MS-CLIENT-PRINCIPAL is not base64-encoded JSON" };
  }
  const claims = principal.claims ?? [];
  const values = (...types: string[]) => claims.filter((claim) => types.includes(claim.typ)).map((claim) => claim.val);
  const clientId = values("appid", "azp")[0];
  if (clientId !== AZURE_MONITOR_ACTION_GROUPS_APP_ID) return { allowed: false, status: 403, reason: `caller: client application ${clientId ?? "(none)"} is not the Azure Monitor action group service` };
  const roles = values(principal.role_typ ?? "roles", "roles", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role");
  if (!roles.includes(ALERT_WEBHOOK_APP_ROLE)) return { allowed: false, status: 403, reason: `caller: the token carries no ${ALERT_WEBHOOK_APP_ROLE} app role` };
  return { allowed: true };
}
