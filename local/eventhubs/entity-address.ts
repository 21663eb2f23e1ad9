/** What an AMQP link address names on an Event Hubs namespace. */
export type EntityAddress =
  | { readonly kind: "cbs" }
  | { readonly kind: "management" }
  | { readonly kind: "hub-sender"; readonly hub: string }
  | { readonly kind: "partition-sender"; readonly hub: string; readonly partitionId: string }
  | { readonly kind: "partition-receiver"; readonly hub: string; readonly consumerGroup: string; readonly partitionId: string }
  | { readonly kind: "unknown"; readonly address: string };

/**
 * Parses a link address. Clients may send a bare path (`hub/Partitions/0`) or a full URI
 * (`amqp://host:port/hub/Partitions/0`); entity names are case-insensitive in the service, so hub and
 * consumer group names are matched lowercased by the caller.
 */
export function parseEntityAddress(address: string | undefined): EntityAddress {
  const path = entityPath(address ?? "");
  if (path === "$cbs") return { kind: "cbs" };
  const segments = path.split("/");
  // The SDK attaches to `$management`; other clients use `<hub>/$management`.
  if (segments.at(-1) === "$management" && segments.length <= 2) return { kind: "management" };
  if (segments.length === 1 && segments[0] !== "") return { kind: "hub-sender", hub: segments[0] };
  if (segments.length === 3 && segments[1].toLowerCase() === "partitions") {
    return { kind: "partition-sender", hub: segments[0], partitionId: segments[2] };
  }
  if (segments.length === 5 && segments[1].toLowerCase() === "consumergroups" && segments[3].toLowerCase() === "partitions") {
    return { kind: "partition-receiver", hub: segments[0], consumerGroup: segments[2], partitionId: segments[4] };
  }
  return { kind: "unknown", address: address ?? "" };
}

/** The path of an address or token audience without scheme, host and surrounding slashes. */
export function entityPath(addressOrUri: string): string {
  const withoutScheme = addressOrUri.replace(/^[a-z]+:\/\/[^/]*/i, "");
  return withoutScheme.replace(/^\/+|\/+$/g, "");
}
