import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { dev } from "../../infra/config/dev";
import { prod } from "../../infra/config/prod";
import { DEPLOYERS_GROUP_VARIABLES, PlatformStack } from "../../infra/stacks/platform-stack";
import { stateBackendFor } from "../../infra/stacks/state-backend";
import { resourcesOfType, type SynthesizedStack } from "./synthesized";

/** Terraform would resolve the client-config data source to whoever runs it; substitute two different identities. */
function asDeployedBy(text: string, objectId: string): SynthesizedStack {
  return JSON.parse(text.replace(/\$\{data\.azurerm_client_config\.[^.}]+\.object_id\}/g, objectId)) as SynthesizedStack;
}

function administration(stack: SynthesizedStack) {
  return {
    sqlAdministrators: resourcesOfType(stack, "azurerm_mssql_server").map((server) => server.azuread_administrator),
    roleAssignments: resourcesOfType(stack, "azurerm_role_assignment")
      .map((assignment) => `${String(assignment.role_definition_name)} ${String(assignment.principal_id)} ${String(assignment.scope)}`)
      .sort(),
  };
}

describe.each([dev, prod])("administration of $name", (config) => {
  const text = Testing.synth(new PlatformStack(Testing.app(), { config, backend: stateBackendFor(config.name, {}) }));

  test("a laptop deploy and a CI deploy synthesize the same SQL administrators and role assignments", () => {
    const laptop = administration(asDeployedBy(text, "11111111-1111-1111-1111-111111111111"));
    const ci = administration(asDeployedBy(text, "22222222-2222-2222-2222-222222222222"));
    expect(ci).toEqual(laptop);
  });

  test("the deployers' Entra group is the SQL administrator and holds Key Vault Secrets Officer", () => {
    const stack = JSON.parse(text) as SynthesizedStack;
    const groupId = `\${var.${DEPLOYERS_GROUP_VARIABLES.objectId}}`;
    expect(resourcesOfType(stack, "azurerm_mssql_server")[0].azuread_administrator).toEqual({
      login_username: `\${var.${DEPLOYERS_GROUP_VARIABLES.displayName}}`,
      object_id: groupId,
      tenant_id: "${data.azurerm_client_config.deployer.tenant_id}",
      azuread_authentication_only: true,
    });
    const officers = resourcesOfType(stack, "azurerm_role_assignment").filter((assignment) => assignment.role_definition_name === "Key Vault Secrets Officer");
    expect(officers).toEqual([expect.objectContaining({ principal_id: groupId, principal_type: "Group" })]);
    expect(stack.variable).toHaveProperty(DEPLOYERS_GROUP_VARIABLES.objectId);
    expect(stack.variable).toHaveProperty(DEPLOYERS_GROUP_VARIABLES.displayName);
  });
});
