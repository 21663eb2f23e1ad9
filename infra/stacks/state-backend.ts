import { AzurermBackend, LocalBackend, type TerraformStack } from "cdktf";

const REQUIRED = ["TFSTATE_RESOURCE_GROUP", "TFSTATE_STORAGE_ACCOUNT", "TFSTATE_CONTAINER"] as const;

export type StateBackend =
  | { readonly kind: "local"; readonly path: string }
  | {
      readonly kind: "azurerm";
      readonly resourceGroupName: string;
      readonly storageAccountName: string;
      readonly containerName: string;
      readonly key: string;
    };

/**
 * Remote azurerm state (Entra ID auth, no storage keys) when all TFSTATE_* variables are set, local state when none
 * is; a partial set is an error so a typo never silently falls back to local state.
 */
export function stateBackendFor(environment: string, env: NodeJS.ProcessEnv = process.env): StateBackend {
  const present = REQUIRED.filter((name) => (env[name] ?? "") !== "");
  if (present.length === 0) {
    return { kind: "local", path: `terraform.${environment}.tfstate` };
  }
  if (present.length < REQUIRED.length) {
    const missing = REQUIRED.filter((name) => !present.includes(name));
    throw new Error(`remote state: ${present.join(", ")} set but ${missing.join(", ")} missing; set all of ${REQUIRED.join(", ")} or none`);
  }
  return {
    kind: "azurerm",
    resourceGroupName: env.TFSTATE_RESOURCE_GROUP as string,
    storageAccountName: env.TFSTATE_STORAGE_ACCOUNT as string,
    containerName: env.TFSTATE_CONTAINER as string,
    key: `${env.TFSTATE_KEY_PREFIX ?? ""}${environment}.tfstate`,
  };
}

export function applyStateBackend(stack: TerraformStack, backend: StateBackend): void {
  if (backend.kind === "local") {
    new LocalBackend(stack, { path: backend.path });
    return;
  }
  new AzurermBackend(stack, {
    resourceGroupName: backend.resourceGroupName,
    storageAccountName: backend.storageAccountName,
    containerName: backend.containerName,
    key: backend.key,
    useAzureadAuth: true,
  });
}
