const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * The definitions of the event schema's "format" keywords (ajv-formats is not a dependency; one format is enough).
 * One module for both validators: the one compiled at first use and the one the bundle precompiles.
 */
export const EVENT_SCHEMA_FORMATS = {
  "date-time": { type: "string", validate: (value: string) => ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)) },
} as const;
