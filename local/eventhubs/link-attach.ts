import { randomUUID } from "node:crypto";
import type { Receiver, Sender, Source, TerminusOptions } from "rhea";

/** The fields of a peer's attach frame this endpoint reads; rhea keeps them on the link but does not type them. */
export interface RemoteAttach {
  readonly name: string;
  readonly source?: Source;
  readonly target?: TerminusOptions;
  readonly desired_capabilities?: string | string[];
  readonly properties?: Record<string, unknown>;
}

/** Fields of our own attach frame that clients look at. */
export interface LocalAttachFields {
  max_message_size?: number;
  offered_capabilities?: string[];
  properties?: Record<string, unknown>;
}

/** What the service's ATTACH always carries and strict clients read: a size limit and a properties map. */
const DEFAULT_MAX_MESSAGE_SIZE_BYTES = 1024 * 1024;

interface LinkFrames {
  readonly local: { readonly attach: LocalAttachFields };
  readonly remote: { readonly attach?: RemoteAttach };
}

export function remoteAttach(link: Sender | Receiver): RemoteAttach {
  const attach = (link as unknown as LinkFrames).remote.attach;
  if (!attach) throw new Error(`link '${link.name}' has no remote attach`);
  return attach;
}

/**
 * Completes our attach: echo the peer's terminus (a null terminus would refuse the link) and add our fields.
 * Must run in the link's open event, before rhea writes the attach frame on the next tick.
 */
export function answerAttach(link: Sender | Receiver, fields: LocalAttachFields = {}): void {
  const remote = remoteAttach(link);
  link.set_source(remote.source ?? { address: "" });
  link.set_target(remote.target ?? { address: "" });
  const defaults: LocalAttachFields = { max_message_size: DEFAULT_MAX_MESSAGE_SIZE_BYTES, properties: { "com.microsoft:tracking-id": randomUUID() } };
  Object.assign((link as unknown as LinkFrames).local.attach, defaults, fields);
}

export function hasCapability(attach: RemoteAttach, capability: string): boolean {
  const capabilities = attach.desired_capabilities;
  return Array.isArray(capabilities) ? capabilities.includes(capability) : capabilities === capability;
}
