import type { TopLevelSpec } from "vega-lite";

/**
 * Renders a Vega-Lite chart to an SVG string in Node, without a browser: Vega-Lite compiles the spec to Vega, and a
 * headless Vega view (`renderer: "none"`) draws it with `toSVG()`. The SVG references nothing outside itself.
 */
export async function renderChartSvg(spec: TopLevelSpec): Promise<string> {
  // Both packages are ES modules only: loaded with import(), which this CommonJS build keeps as a native import.
  const [vegaLite, vega] = await Promise.all([import("vega-lite"), import("vega")]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
