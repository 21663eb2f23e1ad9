import type { LearnerResponseEvent } from "../ingestion/learner-response";
import { eventValidator } from "./event-validator";

/** Checks an event against learner-response-event.schema.json; returns a readable list of violations, or undefined when valid. */
export function eventSchemaViolations(event: LearnerResponseEvent): string | undefined {
  const validate = eventValidator();
  if (validate(event)) return undefined;
  return (validate.errors ?? []).map((error) => `${error.instancePath || "(event)"} ${error.message ?? "is invalid"}`).join("; ");
}
