import { readFileSync } from "node:fs";
import { PLATFORM_OUTPUT_KEYS } from "../../infra/outputs";
import { OUTPUTS_FIXTURE } from "./deploy-harness";
import { FIXTURE_SUBSCRIPTION, synthesizedDevOutputs } from "./synthesized-dev-outputs";

// When this fails after a change to infra/, regenerate the fixture:
//   npx ts-node --transpile-only test/deploy/fixtures/regenerate-outputs-fixture.ts
describe("the stack outputs fixture matches the synthesized dev stack", () => {
  const fixture = (JSON.parse(readFileSync(OUTPUTS_FIXTURE, "utf8")) as { dev: Record<string, string> }).dev;
  const { literal, tokens } = synthesizedDevOutputs();

  it("has exactly the keys of PlatformOutputs, which are exactly the stack's outputs", () => {
    expect(Object.keys(fixture).sort()).toEqual([...PLATFORM_OUTPUT_KEYS].sort());
    expect([...Object.keys(literal), ...Object.keys(tokens)].sort()).toEqual([...PLATFORM_OUTPUT_KEYS].sort());
  });

  it("holds every literal output of the synthesized dev stack unchanged", () => {
    expect(Object.fromEntries(Object.keys(literal).map((key) => [key, fixture[key]]))).toEqual(literal);
  });

  it("gives every output Terraform resolves at apply time an ARM id in the stack's resource group", () => {
    expect(Object.keys(tokens).sort()).toEqual(["actionGroupId", "logAnalyticsWorkspaceId"]);
    for (const key of Object.keys(tokens)) expect(fixture[key]).toMatch(new RegExp(`^/subscriptions/${FIXTURE_SUBSCRIPTION}/resourceGroups/${literal.resourceGroupName}/providers/[A-Za-z.]+/[A-Za-z]+/[a-z0-9-]+$`));
  });
});
