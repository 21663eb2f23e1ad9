import { createHmac } from "node:crypto";

/** HMAC-SHA256(salt, learnerId) in lowercase hex: stable per learner, so partitioning and per-learner analytics still work. */
export function pseudonymizeLearnerId(learnerId: string, salt: string): string {
  return createHmac("sha256", salt).update(learnerId).digest("hex");
}

/**
 * HMAC-SHA256(salt, eventId) in lowercase hex. The staged eventId is a plain SHA-256 of the raw learner id and the
 * fields sent next to it, so sending it would let anyone recover the learner id by trying candidate ids; the keyed
 * hash cannot be recomputed without the salt, yet stays deterministic, so downstream de-duplication still works.
 */
export function pseudonymizeEventId(eventId: string, salt: string): string {
  return createHmac("sha256", salt).update(eventId).digest("hex");
}

/** The ids an event is sent with: pseudonyms when a salt is configured, the staged ids otherwise. */
export interface EventIdentityMapper {
  readonly learnerId: (learnerId: string) => string;
  readonly eventId: (eventId: string) => string;
}

/** Builds the id mapping of one replay; learner pseudonyms are memoized because one learner answers many items within an hour. */
export function eventIdentityMapper(salt: string | undefined): EventIdentityMapper {
  if (!salt) return { learnerId: (learnerId) => learnerId, eventId: (eventId) => eventId };
  const learners = new Map<string, string>();
  return {
    learnerId: (learnerId) => {
      let pseudonym = learners.get(learnerId);
      if (pseudonym === undefined) {
        pseudonym = pseudonymizeLearnerId(learnerId, salt);
        learners.set(learnerId, pseudonym);
      }
      return pseudonym;
    },
    eventId: (eventId) => pseudonymizeEventId(eventId, salt),
  };
}
