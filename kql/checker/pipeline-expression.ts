/**
 * Instantiates Data Factory / Fabric pipeline expressions (`@concat(...)`, `@{...}` interpolation) with known values,
 * so the KQL a pipeline assembles at run time can be checked offline. Covers the functions the repository's
 * pipelines use; any other function is an error naming it, never a guess.
 */
export interface ExpressionScope {
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly variables: Readonly<Record<string, unknown>>;
  /** The ForEach element `item()` returns, if any. */
  readonly item?: unknown;
  /** `activity('Name').output`, by activity name. */
  readonly activityOutputs: Readonly<Record<string, unknown>>;
  /** `pipeline().TriggerTime` and the like. */
  readonly system: Readonly<Record<string, unknown>>;
}

export class ExpressionError extends Error {}

type Token = { kind: "string" | "number" | "name" | "punct"; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (/\s/.test(c)) i++;
    else if (c === "'") {
      let value = "";
      for (i++; i < text.length; i++) {
        if (text[i] === "'" && text[i + 1] === "'") {
          value += "'";
          i++;
        } else if (text[i] === "'") break;
        else value += text[i];
      }
      if (i >= text.length) throw new ExpressionError(`unterminated string in '${text}'`);
      i++;
      tokens.push({ kind: "string", text: value });
    } else if (/[0-9-]/.test(c) && /[0-9]/.test(text[i + (c === "-" ? 1 : 0)] ?? "")) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i))!;
      tokens.push({ kind: "number", text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      tokens.push({ kind: "name", text: m[0] });
      i += m[0].length;
    } else if ("(),.[]?".includes(c)) {
      tokens.push({ kind: "punct", text: c });
      i++;
    } else throw new ExpressionError(`unexpected '${c}' in '${text}'`);
  }
  return tokens;
}

const asString = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));
const isEmpty = (value: unknown): boolean =>
  value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0) || (typeof value === "object" && Object.keys(value as object).length === 0);

function callFunction(name: string, args: unknown[], scope: ExpressionScope): unknown {
  switch (name) {
    case "concat":
      return args.map(asString).join("");
    case "if":
      return args[0] ? args[1] : args[2];
    case "empty":
      return isEmpty(args[0]);
    case "equals":
      return JSON.stringify(args[0]) === JSON.stringify(args[1]);
    case "not":
      return !args[0];
    case "and":
      return args.every(Boolean);
    case "or":
      return args.some(Boolean);
    case "coalesce":
      return args.find((a) => a !== null && a !== undefined) ?? null;
    case "mul":
      return (args[0] as number) * (args[1] as number);
    case "addHours": {
      // The trigger time is the marker `now()`: keep it symbolic so the rules see a wall-clock window.
      const time = Date.parse(asString(args[0]));
      return Number.isNaN(time) ? `${asString(args[0])} + ${Number(args[1])}h` : new Date(time + Number(args[1]) * 3_600_000).toISOString();
    }
    case "greater":
      return (args[0] as number) > (args[1] as number);
    case "lessOrEquals":
      return (args[0] as number) <= (args[1] as number);
    case "greaterOrEquals":
      return (args[0] as number) >= (args[1] as number);
    case "string":
      return asString(args[0]);
    case "join":
      return (args[0] as unknown[]).map(asString).join(asString(args[1]));
    case "item":
      if (scope.item === undefined) throw new ExpressionError("item() outside a ForEach");
      return scope.item;
    case "variables":
      if (!(asString(args[0]) in scope.variables)) throw new ExpressionError(`variable '${asString(args[0])}' is not set`);
      return scope.variables[asString(args[0])];
    case "pipeline":
      return { ...scope.system, parameters: scope.parameters };
    case "activity":
      if (!(asString(args[0]) in scope.activityOutputs)) throw new ExpressionError(`activity '${asString(args[0])}' has no known output`);
      return { output: scope.activityOutputs[asString(args[0])] };
    default:
      throw new ExpressionError(`function '${name}' is not supported by the offline instantiation`);
  }
}

/** Evaluates one expression (the text after `@`). */
export function evaluateExpression(text: string, scope: ExpressionScope): unknown {
  const tokens = tokenize(text);
  let at = 0;
  const isPunct = (punct: string) => tokens[at]?.kind === "punct" && tokens[at].text === punct;
  const expect = (punct: string) => {
    if (!isPunct(punct)) throw new ExpressionError(`expected '${punct}' in '${text}'`);
    at++;
  };
  const primary = (): unknown => {
    const token = tokens[at++];
    if (!token) throw new ExpressionError(`unexpected end of '${text}'`);
    let value: unknown;
    if (token.kind === "string") value = token.text;
    else if (token.kind === "number") value = Number(token.text);
    else if (token.kind === "name" && isPunct("(")) {
      at++;
      const args: unknown[] = [];
      while (at < tokens.length && !isPunct(")")) {
        args.push(primary());
        if (isPunct(",")) at++;
      }
      expect(")");
      value = callFunction(token.text, args, scope);
    } else if (token.kind === "name" && ["true", "false", "null"].includes(token.text)) value = JSON.parse(token.text);
    else throw new ExpressionError(`unexpected '${token.text}' in '${text}'`);
    for (;;) {
      if (isPunct("?")) at++;
      if (isPunct(".")) {
        at++;
        const property = tokens[at++]?.text ?? "";
        value = property === "" ? undefined : (value as Record<string, unknown> | null)?.[property];
      } else if (isPunct("[")) {
        at++;
        const index = primary();
        expect("]");
        value = (value as Record<string, unknown> | null)?.[index as string];
      } else return value;
    }
  };
  const value = primary();
  if (at !== tokens.length) throw new ExpressionError(`unexpected '${tokens[at].text}' in '${text}'`);
  return value;
}

/** A pipeline value: a plain string, an `@expression`, or a string with `@{...}` interpolations. */
export function instantiate(value: string, scope: ExpressionScope): string {
  if (value.startsWith("@") && !value.startsWith("@{") && !value.startsWith("@@")) return asString(evaluateExpression(value.slice(1), scope));
  return value.replace(/@\{([^}]*)\}/g, (_, inner: string) => asString(evaluateExpression(inner, scope)));
}
