import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { FabricItemSource } from "./item-folders";
import type { ItemSchedule, ScheduleConfiguration } from "./fabric-types";

/**
 * Schedules live where Fabric Git integration keeps them: a `.schedules` file in each item's folder. Fabric runs them
 * in its Job Scheduler, so the deploy stage applies them through the Job Scheduler API.
 */
export interface ScheduleSpec {
  /** The item folder name, `<displayName>.<type>`. */
  readonly item: string;
  /** Job Scheduler API job type (`Pipeline` for data pipelines; see SCHEDULER_JOB_TYPES). */
  readonly jobType: string;
  readonly configuration: ScheduleConfiguration;
}

export const SCHEDULES_FILE = ".schedules";

/**
 * Exports name a pipeline's scheduled job `Execute`, while the Job Scheduler API addresses it as the `Pipeline` job
 * type (POST /items/{id}/jobs/Pipeline/schedules): map one to the other per item type.
 */
const SCHEDULER_JOB_TYPES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  DataPipeline: { Execute: "Pipeline", Pipeline: "Pipeline" },
};

interface SchedulesFile {
  schedules?: { enabled?: unknown; jobType?: unknown; configuration?: ScheduleConfiguration }[];
}

/** Reads each item's `.schedules` (absent means none), checking every entry is an enabled Cron schedule of a known job type. */
export async function loadSchedules(itemsDir: string, items: readonly FabricItemSource[]): Promise<ScheduleSpec[]> {
  const problems: string[] = [];
  const specs: ScheduleSpec[] = [];
  for (const item of items) {
    const file = `${item.folder}/${SCHEDULES_FILE}`;
    let text: string;
    try {
      text = await fs.readFile(path.join(itemsDir, file), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    const document = JSON.parse(text) as SchedulesFile;
    if (!Array.isArray(document.schedules)) {
      problems.push(`${file}: expected { "schedules": [...] }`);
      continue;
    }
    document.schedules.forEach((entry, i) => {
      const where = `${file}: schedules[${i}]`;
      const jobType = SCHEDULER_JOB_TYPES[item.type]?.[String(entry.jobType)];
      if (!jobType) problems.push(`${where}.jobType '${String(entry.jobType)}' is not a scheduled job of a ${item.type} (expected ${Object.keys(SCHEDULER_JOB_TYPES[item.type] ?? {}).join(" or ") || "none"})`);
      if (entry.enabled !== true) problems.push(`${where}.enabled must be true (remove a schedule rather than disable it)`);
      const c = entry.configuration ?? ({} as ScheduleConfiguration);
      if (c.type !== "Cron" || !Number.isInteger(c.interval) || (c.interval as number) < 1) problems.push(`${where}.configuration: expected type Cron with a whole number of minutes in interval`);
      for (const key of ["startDateTime", "endDateTime", "localTimeZoneId"] as const) if (typeof c[key] !== "string") problems.push(`${where}.configuration.${key} is required`);
      if (jobType) specs.push({ item: `${item.displayName}.${item.type}`, jobType, configuration: c });
    });
  }
  if (problems.length > 0) throw new Error(problems.join("\n"));
  return specs;
}

/** Whether an existing schedule already does what the spec asks (Fabric may add seconds or a zone suffix). */
export function scheduleMatches(existing: ItemSchedule, spec: ScheduleSpec): boolean {
  const a = existing.configuration;
  const b = spec.configuration;
  const time = (t: string) => Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(t) ? t : `${t}Z`);
  return existing.enabled && a.type === b.type && a.interval === b.interval && a.localTimeZoneId === b.localTimeZoneId && time(a.startDateTime) === time(b.startDateTime) && time(a.endDateTime) === time(b.endDateTime);
}
