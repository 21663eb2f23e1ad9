import { createHmac } from "node:crypto";

/** HMAC-SHA256(salt, learnerId) in lowercase hex: stable per learner, so partitioning and per-learner analytics still work. */
export function pseudonymizeLearnerId(learnerId: string, salt: string): string {
  return createHmac("sha256", salt).update(learnerId).digest("hex");
}

/**
 * Returns the learner id to send: the pseudonym when a salt is configured, the id itself otherwise.
 * Memoized per learner because one learner answers many items within an hour.
 */
export function learnerIdMapper(salt: string | undefined): (learnerId: string) => string {
  if (!salt) return (learnerId) => learnerId;
  const cache = new Map<string, string>();
  return (learnerId) => {
    let pseudonym = cache.get(learnerId);
    if (pseudonym === undefined) {
      pseudonym = pseudonymizeLearnerId(learnerId, salt);
      cache.set(learnerId, pseudonym);
    }
    return pseudonym;
  };
}
