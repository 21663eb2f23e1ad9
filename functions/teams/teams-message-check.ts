import { ADAPTIVE_CARD_CONTENT_TYPE, TEAMS_MESSAGE_MAX_BYTES, messageBytes } from "./teams-message";

const ELEMENT_TYPES = new Set(["TextBlock", "FactSet", "Container"]);

/**
 * Checks a webhook body against what a Teams Workflows webhook and Adaptive Cards 1.4 accept, as far as the card
 * builder uses them. Returns the problems, each naming the JSON path; empty means valid.
 */
export function checkTeamsMessage(body: unknown, maxBytes = TEAMS_MESSAGE_MAX_BYTES): string[] {
  const problems: string[] = [];
  if (!isRecord(body)) return ["body: expected a JSON object"];
  const size = messageBytes(body);
  if (size > maxBytes) problems.push(`body: ${size} bytes exceeds the ${maxBytes}-byte Teams limit`);
  if (body.type !== "message") problems.push(`type: expected "message", got ${JSON.stringify(body.type)}`);
  if (!Array.isArray(body.attachments) || body.attachments.length !== 1) {
    problems.push("attachments: expected exactly one attachment (without attachments the Workflows flow fails)");
    return problems;
  }
  const attachment = body.attachments[0] as unknown;
  if (!isRecord(attachment)) return [...problems, "attachments[0]: expected an object"];
  if (attachment.contentType !== ADAPTIVE_CARD_CONTENT_TYPE) problems.push(`attachments[0].contentType: expected ${ADAPTIVE_CARD_CONTENT_TYPE}`);
  const card = attachment.content;
  if (!isRecord(card)) return [...problems, "attachments[0].content: expected an Adaptive Card object"];
  if (card.type !== "AdaptiveCard") problems.push('attachments[0].content.type: expected "AdaptiveCard"');
  if (card.version !== "1.4") problems.push(`attachments[0].content.version: expected "1.4", got ${JSON.stringify(card.version)}`);
  if (!Array.isArray(card.body) || card.body.length === 0) problems.push("attachments[0].content.body: expected a non-empty array");
  else card.body.forEach((element, i) => checkElement(element, `attachments[0].content.body[${i}]`, problems));
  if (card.actions !== undefined) {
    if (!Array.isArray(card.actions)) problems.push("attachments[0].content.actions: expected an array");
    else card.actions.forEach((a, i) => {
      if (!isRecord(a) || a.type !== "Action.OpenUrl" || typeof a.url !== "string" || typeof a.title !== "string") problems.push(`attachments[0].content.actions[${i}]: expected Action.OpenUrl with title and url`);
    });
  }
  return problems;
}

function checkElement(element: unknown, path: string, problems: string[]): void {
  if (!isRecord(element) || !ELEMENT_TYPES.has(String(element.type))) {
    problems.push(`${path}: expected one of ${[...ELEMENT_TYPES].join(", ")}`);
    return;
  }
  if (element.type === "TextBlock" && typeof element.text !== "string") problems.push(`${path}.text: expected a string`);
  if (element.type === "FactSet") {
    if (!Array.isArray(element.facts)) problems.push(`${path}.facts: expected an array`);
    else element.facts.forEach((f, i) => {
      if (!isRecord(f) || typeof f.title !== "string" || typeof f.value !== "string") problems.push(`${path}.facts[${i}]: expected { title, value } strings`);
    });
  }
  if (element.type === "Container") {
    if (!Array.isArray(element.items)) problems.push(`${path}.items: expected an array`);
    else element.items.forEach((child, i) => checkElement(child, `${path}.items[${i}]`, problems));
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
