// The package is a Bridge.NET build of Microsoft's Kusto.Language: loading the runtime, then the library, defines the
// globals `Bridge` and `Kusto`. Order matters.
import "@kusto/language-service-next/bridge";
import "@kusto/language-service-next";

export const KustoLanguage: typeof Kusto.Language = (globalThis as unknown as { Kusto: typeof Kusto }).Kusto.Language;
export type KustoCode = Kusto.Language.KustoCode;
export type GlobalState = Kusto.Language.GlobalState;
export type SyntaxNode = Kusto.Language.Syntax.SyntaxElement;
export type TableSymbol = Kusto.Language.Symbols.TableSymbol;
export type KustoSymbol = Kusto.Language.Symbols.Symbol;
