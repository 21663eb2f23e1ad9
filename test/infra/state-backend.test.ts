import { stateBackendFor } from "../../infra/stacks/state-backend";

const remote = { TFSTATE_RESOURCE_GROUP: "rg-tfstate", TFSTATE_STORAGE_ACCOUNT: "sttfstate", TFSTATE_CONTAINER: "tfstate" };

describe("stateBackendFor", () => {
  test("uses a local state file per environment when no TFSTATE_* variable is set", () => {
    expect(stateBackendFor("pr-123", {})).toEqual({ kind: "local", path: "terraform.pr-123.tfstate" });
  });

  test("uses azurerm state keyed by environment, with the optional prefix", () => {
    expect(stateBackendFor("prod", remote)).toMatchObject({ kind: "azurerm", key: "prod.tfstate", containerName: "tfstate" });
    expect(stateBackendFor("prod", { ...remote, TFSTATE_KEY_PREFIX: "lrp/" })).toMatchObject({ key: "lrp/prod.tfstate" });
  });

  test("fails when only some TFSTATE_* variables are set, naming the missing ones", () => {
    expect(() => stateBackendFor("dev", { TFSTATE_RESOURCE_GROUP: "rg-tfstate" })).toThrow(
      "remote state: TFSTATE_RESOURCE_GROUP set but TFSTATE_STORAGE_ACCOUNT, TFSTATE_CONTAINER missing; set all of TFSTATE_RESOURCE_GROUP, TFSTATE_STORAGE_ACCOUNT, TFSTATE_CONTAINER or none",
    );
  });
});
