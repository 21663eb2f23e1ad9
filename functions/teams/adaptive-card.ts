/** What a notification says; the one builder below turns it into an Adaptive Card 1.4. */
export interface CardContent {
  readonly title: string;
  readonly status: CardStatus;
  readonly summary?: string;
  /** Label/value pairs shown as one FactSet. */
  readonly facts?: readonly CardFact[];
  /** Result rows (alert rows, for instance), one FactSet each; the first to go when the message is too large. */
  readonly rows?: readonly Readonly<Record<string, unknown>>[];
  /** Free text shown in monospace (an error message, a JSON array of rows from a pipeline expression). */
  readonly details?: string;
  readonly links?: readonly { readonly title: string; readonly url: string }[];
  /** Shown last, subtle; the size limiter uses it to say what was left out. */
  readonly note?: string;
}

export type CardStatus = "success" | "failure" | "warning" | "info";

export interface CardFact {
  readonly title: string;
  readonly value: string;
}

export interface AdaptiveCard {
  readonly type: "AdaptiveCard";
  readonly $schema: string;
  readonly version: "1.4";
  readonly msteams: { readonly width: "Full" };
  readonly body: readonly CardElement[];
  readonly actions?: readonly { readonly type: "Action.OpenUrl"; readonly title: string; readonly url: string }[];
}

export type CardElement =
  | { readonly type: "TextBlock"; readonly text: string; readonly wrap: true; readonly weight?: "Bolder"; readonly size?: "Medium" | "Small"; readonly color?: string; readonly isSubtle?: true; readonly fontType?: "Monospace" }
  | { readonly type: "FactSet"; readonly facts: readonly CardFact[] }
  | { readonly type: "Container"; readonly separator: true; readonly items: readonly CardElement[] };

export const ADAPTIVE_CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json";

const STATUS_COLOR: Record<CardStatus, string> = { success: "Good", failure: "Attention", warning: "Warning", info: "Default" };

export function buildAdaptiveCard(content: CardContent): AdaptiveCard {
  const body: CardElement[] = [{ type: "TextBlock", text: content.title, wrap: true, weight: "Bolder", size: "Medium", color: STATUS_COLOR[content.status] }];
  if (content.summary) body.push({ type: "TextBlock", text: content.summary, wrap: true });
  if (content.facts && content.facts.length > 0) body.push({ type: "FactSet", facts: content.facts.map((f) => ({ title: f.title, value: f.value })) });
  for (const row of content.rows ?? []) {
    body.push({ type: "Container", separator: true, items: [{ type: "FactSet", facts: Object.entries(row).map(([title, value]) => ({ title, value: formatValue(value) })) }] });
  }
  if (content.details) body.push({ type: "TextBlock", text: content.details, wrap: true, size: "Small", fontType: "Monospace" });
  if (content.note) body.push({ type: "TextBlock", text: content.note, wrap: true, size: "Small", isSubtle: true });
  const card: AdaptiveCard = { type: "AdaptiveCard", $schema: ADAPTIVE_CARD_SCHEMA, version: "1.4", msteams: { width: "Full" }, body };
  return content.links && content.links.length > 0 ? { ...card, actions: content.links.map((l) => ({ type: "Action.OpenUrl", title: l.title, url: l.url })) } : card;
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}
