import Ajv2020, { type Options, type ValidateFunction } from "ajv/dist/2020";
import eventSchema from "../ingestion/learner-response-event.schema.json";
import { EVENT_SCHEMA_FORMATS } from "./event-schema-formats";

/** The JSON Schema compiler set up for the event schema; the bundle passes `code` options to emit standalone code. */
export function createEventSchemaCompiler(options: Options = {}): { ajv: Ajv2020; validate: ValidateFunction } {
  const ajv = new Ajv2020({ allErrors: true, ...options });
  for (const [name, format] of Object.entries(EVENT_SCHEMA_FORMATS)) ajv.addFormat(name, format);
  return { ajv, validate: ajv.compile(eventSchema) };
}

let compiled: ValidateFunction | undefined;

/**
 * The validator of learner-response-event.schema.json, compiled on first use and reused. The function bundle
 * replaces this module with the same validator precompiled at build time, so the function carries no compiler.
 */
export function eventValidator(): ValidateFunction {
  compiled ??= createEventSchemaCompiler().validate;
  return compiled;
}
