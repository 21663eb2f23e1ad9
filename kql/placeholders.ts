/**
 * Per-environment values for the `${name}` placeholders in the KQL scripts, substituted at apply time
 * (checksums cover the committed text, so changing a value here never counts as editing an applied script).
 * Keyed by environment kind: `pr-<n>` environments use `ephemeral`.
 */
export type KqlEnvironmentKind = "dev" | "staging" | "prod" | "ephemeral";

export interface KqlPlaceholders {
  /** Soft-delete period of the raw bronze table. */
  readonly bronzeRetentionDays: number;
  /** Hot-cache period of the raw bronze table. */
  readonly bronzeHotCacheDays: number;
  /** Soft-delete period of the silver responses and quarantine tables. */
  readonly silverRetentionDays: number;
  readonly silverHotCacheDays: number;
  /** Soft-delete period of the gold materialized views. */
  readonly goldRetentionDays: number;
  readonly goldHotCacheDays: number;
  /** A response whose event time is more than this behind the latest event time seen so far is flagged late. */
  readonly lateArrivalLagMinutes: number;
  /** Alert when a test's hourly accuracy falls more than this fraction below its trailing average (0.2 = 20 %). */
  readonly accuracyDropRatio: number;
  /** Hours of trailing history the accuracy-drop alert averages over. */
  readonly accuracyTrailingHours: number;
  /** Alert when no event has arrived for more than this many minutes. */
  readonly noEventsAlertMinutes: number;
}

export const KQL_PLACEHOLDERS: Readonly<Record<KqlEnvironmentKind, KqlPlaceholders>> = {
  dev: {
    bronzeRetentionDays: 14,
    bronzeHotCacheDays: 3,
    silverRetentionDays: 30,
    silverHotCacheDays: 7,
    goldRetentionDays: 90,
    goldHotCacheDays: 30,
    lateArrivalLagMinutes: 60,
    accuracyDropRatio: 0.3,
    accuracyTrailingHours: 24,
    noEventsAlertMinutes: 180,
  },
  staging: {
    bronzeRetentionDays: 30,
    bronzeHotCacheDays: 7,
    silverRetentionDays: 90,
    silverHotCacheDays: 14,
    goldRetentionDays: 365,
    goldHotCacheDays: 30,
    lateArrivalLagMinutes: 60,
    accuracyDropRatio: 0.25,
    accuracyTrailingHours: 24,
    noEventsAlertMinutes: 120,
  },
  prod: {
    bronzeRetentionDays: 90,
    bronzeHotCacheDays: 7,
    silverRetentionDays: 365,
    silverHotCacheDays: 31,
    goldRetentionDays: 1825,
    goldHotCacheDays: 90,
    lateArrivalLagMinutes: 60,
    accuracyDropRatio: 0.2,
    accuracyTrailingHours: 24,
    noEventsAlertMinutes: 90,
  },
  ephemeral: {
    bronzeRetentionDays: 3,
    bronzeHotCacheDays: 1,
    silverRetentionDays: 3,
    silverHotCacheDays: 1,
    goldRetentionDays: 7,
    goldHotCacheDays: 1,
    lateArrivalLagMinutes: 60,
    accuracyDropRatio: 0.3,
    accuracyTrailingHours: 24,
    noEventsAlertMinutes: 1440,
  },
};

/** Renders typed values as the strings the migration engine substitutes (numbers as KQL literals: `0.2`, `14`). */
export function kqlPlaceholderValues(values: KqlPlaceholders): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, String(value)]));
}

/** The placeholder strings for one environment kind. */
export function kqlPlaceholdersFor(kind: KqlEnvironmentKind): Record<string, string> {
  return kqlPlaceholderValues(KQL_PLACEHOLDERS[kind]);
}
