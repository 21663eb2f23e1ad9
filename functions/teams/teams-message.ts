import { buildAdaptiveCard, type AdaptiveCard, type CardContent } from "./adaptive-card";

/** The envelope a Teams Workflows webhook ("When a Teams webhook request is received") expects. */
export interface TeamsMessage {
  readonly type: "message";
  readonly attachments: readonly [{ readonly contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE; readonly content: AdaptiveCard }];
}

export const ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";

/** Teams rejects payloads above about 28 KB; stay a little below it. */
export const TEAMS_MESSAGE_MAX_BYTES = 28_000;

export function wrapCard(card: AdaptiveCard): TeamsMessage {
  return { type: "message", attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card }] };
}

export function messageBytes(message: unknown): number {
  return Buffer.byteLength(JSON.stringify(message), "utf8");
}

/**
 * Builds the webhook message, shrinking it below TEAMS_MESSAGE_MAX_BYTES when needed: rows go first (from the end),
 * then facts, then the details text is cut; a note says how much was left out.
 */
export function buildTeamsMessage(content: CardContent, maxBytes = TEAMS_MESSAGE_MAX_BYTES): TeamsMessage {
  const full = wrapCard(buildAdaptiveCard(content));
  if (messageBytes(full) <= maxBytes) return full;
  const rows = [...(content.rows ?? [])];
  const facts = [...(content.facts ?? [])];
  let details = content.details;
  const omitted = { rows: 0, facts: 0, chars: 0 };
  const attempt = () => {
    const parts = [
      omitted.rows ? `${omitted.rows} of ${content.rows?.length} rows` : "",
      omitted.facts ? `${omitted.facts} facts` : "",
      omitted.chars ? `${omitted.chars} characters of details` : "",
    ].filter(Boolean);
    const note = [content.note, `Not shown (Teams message limit): ${parts.join(", ")}.`].filter(Boolean).join(" ");
    return wrapCard(buildAdaptiveCard({ ...content, rows, facts, details, note }));
  };
  let message = attempt();
  if (messageBytes(message) > maxBytes && rows.length > 0) {
    // Estimate the size of one rendered row from the message itself, then trim one at a time to the exact fit.
    const all = rows.length;
    const withoutRows = messageBytes(wrapCard(buildAdaptiveCard({ ...content, rows: [], facts, details, note: `${content.note ?? ""} Not shown (Teams message limit): ${all} of ${all} rows.` })));
    const perRow = (messageBytes(full) - messageBytes(wrapCard(buildAdaptiveCard({ ...content, rows: [] })))) / all;
    const fit = Math.max(0, Math.floor((maxBytes - withoutRows) / perRow));
    omitted.rows = all - fit;
    rows.splice(fit);
    message = attempt();
    while (messageBytes(message) > maxBytes && rows.length > 0) {
      rows.pop();
      omitted.rows += 1;
      message = attempt();
    }
  }
  while (messageBytes(message) > maxBytes && facts.length > 0) {
    facts.pop();
    omitted.facts += 1;
    message = attempt();
  }
  while (messageBytes(message) > maxBytes && details) {
    const kept = Math.max(0, details.length - (messageBytes(message) - maxBytes) - 64);
    omitted.chars = (content.details?.length ?? 0) - kept;
    details = kept > 0 ? `${details.slice(0, kept)}…` : undefined;
    message = attempt();
  }
  if (messageBytes(message) > maxBytes) throw new Error(`Teams message is ${messageBytes(message)} bytes even without rows, facts and details; shorten the title or summary.`);
  return message;
}
