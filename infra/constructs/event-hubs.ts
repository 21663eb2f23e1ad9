import { Eventhub } from "@cdktf/provider-azurerm/lib/eventhub";
import { EventhubAuthorizationRule } from "@cdktf/provider-azurerm/lib/eventhub-authorization-rule";
import { EventhubConsumerGroup } from "@cdktf/provider-azurerm/lib/eventhub-consumer-group";
import { EventhubNamespace } from "@cdktf/provider-azurerm/lib/eventhub-namespace";
import { Construct } from "constructs";
import { isIntegerInRange, PropsValidation } from "./props-validation";
import { grantRole } from "./role-grant";

export const EVENT_HUB_NAME = "learner-responses";
export const FABRIC_CONSUMER_GROUP = "fabric-eventstream";
export const OPERATORS_CONSUMER_GROUP = "operators";
export const FABRIC_LISTEN_RULE = "fabric-listen";

export interface LearnerEventHubsProps {
  readonly namespaceName: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /**
   * Throughput units (1-40).
   * @default 1
   */
  readonly capacity?: number;
  /** Partitions of the learner-responses hub (1-32 on Standard). */
  readonly partitionCount: number;
  /** Retention of the learner-responses hub (1-7 days on Standard). */
  readonly messageRetentionDays: number;
  /** @default false */
  readonly preventDestroy?: boolean;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A Standard namespace with one hub for learner responses, consumer groups for the Fabric Eventstream and for
 * operators, and exactly one SAS rule: listen-only, for Fabric. Senders use Entra ID (grantSend).
 */
export class LearnerEventHubs extends Construct {
  readonly namespace: EventhubNamespace;
  readonly hub: Eventhub;
  readonly fabricListenRule: EventhubAuthorizationRule;
  readonly namespaceName: string;
  /** <namespace>.servicebus.windows.net */
  readonly namespaceFqdn: string;

  constructor(scope: Construct, id: string, props: LearnerEventHubsProps) {
    super(scope, id);
    const capacity = props.capacity ?? 1;
    const validation = new PropsValidation("LearnerEventHubs");
    validation.require(/^[a-zA-Z][a-zA-Z0-9-]{4,48}[a-zA-Z0-9]$/.test(props.namespaceName), `namespaceName "${props.namespaceName}" must be 6-50 letters, digits and hyphens, starting with a letter`);
    validation.require(isIntegerInRange(capacity, 1, 40), `capacity ${capacity} must be an integer from 1 to 40 throughput units`);
    validation.require(isIntegerInRange(props.partitionCount, 1, 32), `partitionCount ${props.partitionCount} must be an integer from 1 to 32 (Standard tier)`);
    validation.require(isIntegerInRange(props.messageRetentionDays, 1, 7), `messageRetentionDays ${props.messageRetentionDays} must be an integer from 1 to 7 (Standard tier)`);
    validation.throwIfInvalid();

    this.namespaceName = props.namespaceName;
    this.namespaceFqdn = `${props.namespaceName}.servicebus.windows.net`;
    this.namespace = new EventhubNamespace(this, "namespace", {
      name: props.namespaceName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku: "Standard",
      capacity,
      minimumTlsVersion: "1.2",
      // SAS stays possible only for the listen-only Fabric rule below; the policy pack records this exception.
      localAuthenticationEnabled: true,
      publicNetworkAccessEnabled: true,
      tags: props.tags,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    this.hub = new Eventhub(this, "learner-responses", {
      name: EVENT_HUB_NAME,
      namespaceId: this.namespace.id,
      partitionCount: props.partitionCount,
      messageRetention: props.messageRetentionDays,
    });
    for (const group of [FABRIC_CONSUMER_GROUP, OPERATORS_CONSUMER_GROUP]) {
      new EventhubConsumerGroup(this, `consumer-group-${group}`, {
        name: group,
        namespaceName: this.namespace.name,
        eventhubName: this.hub.name,
        resourceGroupName: props.resourceGroupName,
      });
    }
    this.fabricListenRule = new EventhubAuthorizationRule(this, "fabric-listen-rule", {
      name: FABRIC_LISTEN_RULE,
      namespaceName: this.namespace.name,
      eventhubName: this.hub.name,
      resourceGroupName: props.resourceGroupName,
      listen: true,
      send: false,
      manage: false,
    });
  }

  /** Send events to the learner-responses hub only (Azure Event Hubs Data Sender at hub scope). */
  grantSend(principalId: string, id = "send-learner-responses"): void {
    grantRole(this, id, { scope: this.hub.id, role: "eventHubsDataSender", principalId });
  }
}
