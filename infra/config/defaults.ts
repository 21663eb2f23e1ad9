import type { ReplayConfig } from "./environment-config";

export const PROJECT = "lrp";
export const DEFAULT_LOCATION = "swedencentral";
export const NODE_VERSION = "22";

export const DEFAULT_REPLAY: ReplayConfig = {
  schedule: "0 0 * * * *",
  maxHoursPerRun: 24,
  clockOffsetHours: 0,
};
