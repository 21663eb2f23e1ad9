import { desiredConnections } from "../../infra/deploy/fabric/fabric-connections";
import type { CreateConnectionRequest } from "../../infra/deploy/fabric/fabric-types";
import { connectionRequestProblems } from "../../infra/deploy/fabric/supported-connection-types";
import { FIXTURE_OUTPUTS } from "./deploy-harness";

describe("connection types and creation methods against the recorded Fabric catalogue", () => {
  const requests = async () =>
    Promise.all(desiredConnections({ outputs: FIXTURE_OUTPUTS, teamsWebhookUrl: "https://example.invalid/workflows/x" }).map((spec) => spec.request(async () => "listen-key-0123456789")));

  test("every connection the deploy stage creates matches the catalogue", async () => {
    const all = await requests();
    expect(all.map((request) => request.connectionDetails.type)).toEqual(["EventHub", "WebForPipeline", "SQL"]);
    expect(all.flatMap(connectionRequestProblems)).toEqual([]);
  });

  const withDetails = (request: CreateConnectionRequest, details: Partial<CreateConnectionRequest["connectionDetails"]>): CreateConnectionRequest => ({ ...request, connectionDetails: { ...request.connectionDetails, ...details } });

  test("fails on an unknown type, a wrong creation method, a missing or extra parameter, and an unsupported credential type", async () => {
    const [eventHub, , sql] = await requests();
    const name = eventHub.displayName;
    expect(connectionRequestProblems(withDetails(eventHub, { type: "AzureEventHubs" }))).toEqual([`connection '${name}': type 'AzureEventHubs' is not in the recorded catalogue (EventHub, WebForPipeline, SQL)`]);
    expect(connectionRequestProblems(withDetails(eventHub, { creationMethod: "EventHub" }))).toEqual([`connection '${name}': creationMethod 'EventHub' is not EventHub's (EventHub.Contents)`]);
    expect(connectionRequestProblems(withDetails(eventHub, { parameters: [{ dataType: "Text", name: "endpoint", value: "x" }, { dataType: "Text", name: "consumerGroup", value: "y" }] }))).toEqual([
      `connection '${name}': parameter 'entityPath' is required by EventHub.Contents`,
      `connection '${name}': parameter 'consumerGroup' is not one EventHub.Contents takes`,
    ]);
    const anonymousSql = { ...sql, credentialDetails: { ...sql.credentialDetails, credentials: { credentialType: "Anonymous" as const } } };
    expect(connectionRequestProblems(anonymousSql)).toEqual([`connection '${sql.displayName}': credential type 'Anonymous' is not supported by SQL (ServicePrincipal, WorkspaceIdentity, OAuth2)`]);
  });
});
