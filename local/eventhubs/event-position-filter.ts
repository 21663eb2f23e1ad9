import type { LoggedEvent } from "./partition-log";

/** Where a consumer starts, from its link's `apache.org:selector-filter:string` source filter. */
export type StartPosition =
  | { readonly kind: "offset"; readonly offset: string; readonly inclusive: boolean }
  | { readonly kind: "sequence-number"; readonly sequenceNumber: number; readonly inclusive: boolean }
  | { readonly kind: "enqueued-time"; readonly afterMs: number }
  | { readonly kind: "earliest" }
  | { readonly kind: "latest" };

const EXPRESSION = /^amqp\.annotation\.x-opt-(offset|sequence-number|enqueued-time)\s*(>=|>)\s*'([^']*)'$/i;

/** Parses the selector expression; throws with the expression when it is not one the service understands. */
export function parseStartPosition(expression: string | undefined): StartPosition {
  // A receiver without a filter reads from the start of the partition.
  if (expression === undefined) return { kind: "earliest" };
  const match = EXPRESSION.exec(expression.trim());
  if (!match) throw new Error(`unsupported selector filter "${expression}"`);
  const [, field, operator, value] = match;
  const inclusive = operator === ">=";
  switch (field.toLowerCase()) {
    case "offset":
      if (value === "-1") return { kind: "earliest" };
      if (value === "@latest") return { kind: "latest" };
      if (!/^\d+$/.test(value)) throw new Error(`invalid offset '${value}' in selector filter`);
      return { kind: "offset", offset: value, inclusive };
    case "sequence-number":
      if (!/^-?\d+$/.test(value)) throw new Error(`invalid sequence number '${value}' in selector filter`);
      return { kind: "sequence-number", sequenceNumber: Number(value), inclusive };
    default:
      if (!/^\d+$/.test(value)) throw new Error(`invalid enqueued time '${value}' in selector filter`);
      return { kind: "enqueued-time", afterMs: Number(value) };
  }
}

/** Index in the partition's event list of the first event the consumer receives. */
export function firstEventIndex(position: StartPosition, events: readonly LoggedEvent[]): number {
  const firstWhere = (matches: (event: LoggedEvent) => boolean) => {
    const index = events.findIndex(matches);
    return index === -1 ? events.length : index;
  };
  switch (position.kind) {
    case "earliest":
      return 0;
    case "latest":
      return events.length;
    case "offset": {
      const offset = Number(position.offset);
      return firstWhere((event) => (position.inclusive ? Number(event.offset) >= offset : Number(event.offset) > offset));
    }
    case "sequence-number":
      return firstWhere((event) => (position.inclusive ? event.sequenceNumber >= position.sequenceNumber : event.sequenceNumber > position.sequenceNumber));
    case "enqueued-time":
      return firstWhere((event) => event.enqueuedTime.getTime() > position.afterMs);
  }
}
