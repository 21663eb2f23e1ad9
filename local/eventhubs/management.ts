import { types } from "rhea";
import { reply, type ConnectionClaims, type ReplyMessage } from "./cbs";
import type { Namespace } from "./namespace";
import { verifySasToken, type SharedAccessPolicy } from "./sas-token";

/**
 * Answers a `$management` READ for a hub (`com.microsoft:eventhub`) or one of its partitions
 * (`com.microsoft:partition`) with the map the SDK turns into EventHubProperties / PartitionProperties.
 */
export function handleManagementRequest(request: Record<string, unknown>, namespace: Namespace, policy: SharedAccessPolicy, claims: ConnectionClaims): ReplyMessage {
  const properties = (request.application_properties ?? {}) as Record<string, unknown>;
  if (properties.operation !== "READ") return reply(request, 400, `unsupported $management operation '${String(properties.operation)}'`, { condition: "amqp:not-implemented" });
  const hubName = String(properties.name ?? "");
  if (!isAuthorized(hubName, properties.security_token, policy, claims)) {
    return reply(request, 401, `Unauthorized: no valid token for '${hubName}'`, { condition: "amqp:unauthorized-access" });
  }
  const hub = namespace.hub(hubName);
  if (!hub) return reply(request, 404, `The messaging entity '${hubName}' could not be found.`, { condition: "amqp:not-found" });

  if (properties.type === "com.microsoft:eventhub") {
    return reply(request, 200, "OK", {
      body: { name: hub.name, type: "com.microsoft:eventhub", created_at: hub.createdAt, partition_count: hub.partitions.length, partition_ids: hub.partitions.map((partition) => partition.partitionId) },
    });
  }
  if (properties.type === "com.microsoft:partition") {
    const partition = hub.partitions.find((candidate) => candidate.partitionId === String(properties.partition));
    if (!partition) {
      return reply(request, 404, `Partition '${String(properties.partition)}' does not exist in '${hub.name}' (partitions 0-${hub.partitions.length - 1}).`, { condition: "com.microsoft:argument-out-of-range" });
    }
    const state = partition.properties();
    return reply(request, 200, "OK", {
      body: {
        name: hub.name,
        type: "com.microsoft:partition",
        partition: partition.partitionId,
        begin_sequence_number: types.wrap_long(state.beginSequenceNumber),
        last_enqueued_sequence_number: types.wrap_long(state.lastEnqueuedSequenceNumber),
        last_enqueued_offset: state.lastEnqueuedOffset,
        last_enqueued_time_utc: state.lastEnqueuedTime,
        is_partition_empty: state.isEmpty,
      },
    });
  }
  return reply(request, 400, `unsupported $management type '${String(properties.type)}'`, { condition: "amqp:not-implemented" });
}

/** The request's own `security_token` or a claim the connection holds must cover the hub. */
function isAuthorized(hubName: string, securityToken: unknown, policy: SharedAccessPolicy, claims: ConnectionClaims): boolean {
  if (claims.covers(`${hubName}/$management`)) return true;
  if (typeof securityToken !== "string") return false;
  const verdict = verifySasToken(securityToken, policy, Date.now());
  return verdict.ok && (verdict.claim.path === "" || verdict.claim.path === hubName.toLowerCase());
}
