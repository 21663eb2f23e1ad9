import { forTypes } from "../policy-rule";
import { blocks } from "../synthesized-terraform";

/** Webhook receivers use HTTPS and Entra ID tokens (secure webhook), never a key in the URL. */
export const ActionGroupSecureWebhook = forTypes(["azurerm_monitor_action_group"], (resource) =>
  blocks(resource.body.webhook_receiver).every((receiver) => {
    const uri = String(receiver.service_uri ?? "");
    return uri.startsWith("https://") && !/[?&](code|sig|key)=/i.test(uri) && receiver.aad_auth !== undefined;
  }),
);
