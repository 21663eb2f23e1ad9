import "cdktf/lib/testing/adapters/jest";
import { Eventhub } from "@cdktf/provider-azurerm/lib/eventhub";
import { EventhubAuthorizationRule } from "@cdktf/provider-azurerm/lib/eventhub-authorization-rule";
import { EventhubConsumerGroup } from "@cdktf/provider-azurerm/lib/eventhub-consumer-group";
import { EventhubNamespace } from "@cdktf/provider-azurerm/lib/eventhub-namespace";
import { LearnerEventHubs } from "../../infra/constructs/event-hubs";
import { freshStack, resourcesOfType, synthesized } from "./synthesized";

const base = { namespaceName: "evhns-lrp-test-0001", resourceGroupName: "rg-test", location: "swedencentral", partitionCount: 4, messageRetentionDays: 3 };

describe("LearnerEventHubs", () => {
  test("creates a Standard namespace with TLS 1.2 and the learner-responses hub sized from props", () => {
    const stack = freshStack();
    const hubs = new LearnerEventHubs(stack, "event-hubs", { ...base, capacity: 2 });
    const { text } = synthesized(stack);
    expect(text).toHaveResourceWithProperties(EventhubNamespace, { name: "evhns-lrp-test-0001", sku: "Standard", capacity: 2, minimum_tls_version: "1.2" });
    expect(text).toHaveResourceWithProperties(Eventhub, { name: "learner-responses", partition_count: 4, message_retention: 3 });
    expect(hubs.namespaceFqdn).toBe("evhns-lrp-test-0001.servicebus.windows.net");
  });

  test("creates consumer groups for the Fabric Eventstream and for operators", () => {
    const stack = freshStack();
    new LearnerEventHubs(stack, "event-hubs", base);
    const { json } = synthesized(stack);
    const groups = resourcesOfType(json, EventhubConsumerGroup.tfResourceType).map((group) => group.name).sort();
    expect(groups).toEqual(["fabric-eventstream", "operators"]);
  });

  test("has exactly one SAS rule, listen-only, on the hub, and no namespace rules", () => {
    const stack = freshStack();
    new LearnerEventHubs(stack, "event-hubs", base);
    const { json } = synthesized(stack);
    const rules = resourcesOfType(json, EventhubAuthorizationRule.tfResourceType);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ name: "fabric-listen", listen: true, send: false, manage: false });
    expect(resourcesOfType(json, "azurerm_eventhub_namespace_authorization_rule")).toHaveLength(0);
  });

  test("grantSend assigns Azure Event Hubs Data Sender at hub scope, not namespace scope", () => {
    const stack = freshStack();
    new LearnerEventHubs(stack, "event-hubs", base).grantSend("principal-1");
    const { json } = synthesized(stack);
    const assignments = resourcesOfType(json, "azurerm_role_assignment");
    expect(assignments).toHaveLength(1);
    expect(assignments[0]).toMatchObject({
      role_definition_name: "Azure Event Hubs Data Sender",
      principal_id: "principal-1",
      scope: expect.stringMatching(/^\$\{azurerm_eventhub\.event-hubs_learner-responses_[0-9A-F]+\.id\}$/),
    });
  });

  test("fails when partitions and retention exceed the Standard tier", () => {
    expect(() => new LearnerEventHubs(freshStack(), "event-hubs", { ...base, partitionCount: 64, messageRetentionDays: 30 })).toThrow(
      /partitionCount 64[\s\S]*messageRetentionDays 30/,
    );
  });
});
