import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import eventSchema from "../ingestion/learner-response-event.schema.json";
import type { LearnerResponseEvent } from "../ingestion/learner-response";

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

let compiled: ValidateFunction | undefined;

/** Compiles the event JSON Schema on first use only, so loading the function stays fast; later calls reuse it. */
function eventValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true });
    // The schema's "format" keywords need a definition; ajv-formats is not a dependency, one format is enough.
    ajv.addFormat("date-time", { type: "string", validate: (value: string) => ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)) });
    compiled = ajv.compile(eventSchema);
  }
  return compiled;
}

/** Checks an event against learner-response-event.schema.json; returns a readable list of violations, or undefined when valid. */
export function eventSchemaViolations(event: LearnerResponseEvent): string | undefined {
  const validate = eventValidator();
  if (validate(event)) return undefined;
  return (validate.errors ?? []).map((error) => `${error.instancePath || "(event)"} ${error.message ?? "is invalid"}`).join("; ");
}
