/**
 * The values the KQL scripts' `${name}` placeholders take, substituted at apply time (checksums cover the committed
 * text, so changing a value never counts as editing an applied script). Each environment's values live in its typed
 * configuration (`EnvironmentConfig.analytics` in infra/config/), so adding a field here makes the compiler ask for it
 * in every environment.
 */
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

/**
 * Renders typed values as the strings the migration engine substitutes (numbers as KQL literals: `0.2`, `14`, `-26304`).
 * `replayClockOffsetHours` is the replay's own setting (`EnvironmentConfig.functionApp.replay.clockOffsetHours`), passed in rather
 * than copied into the analytics values: the ingestion-lag function needs it to turn `replayedAt` back into wall time.
 */
export function kqlPlaceholderValues(values: KqlPlaceholders, replayClockOffsetHours: number): Record<string, string> {
  return Object.fromEntries([...Object.entries(values), ["replayClockOffsetHours", replayClockOffsetHours]].map(([name, value]) => [name, String(value)]));
}
