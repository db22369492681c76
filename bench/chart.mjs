// The bench charts: vega-lite specs compiled to vega and rendered to SVG headless in Node (vega's
// renderer 'none' + view.toSVG(): no canvas, no browser). One line per series (a placement, or an
// anchor such as ns-3 or namespaces), points marked, log scales where N spans decades.
import * as vega from 'vega';
import { compile } from 'vega-lite';

/**
 * rows: [{ n, value, series, kind }] (kind 'netloom' or 'reference': references are dashed); x/y: axis titles; log: which axes are logarithmic.
 * Returns the SVG text.
 */
export async function lineChart({ title, rows, x, y, logX = false, logY = false, width = 460, height = 260 }) {
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width,
    height,
    background: 'white',
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'n', type: 'quantitative', title: x, scale: logX ? { type: 'log' } : { zero: false } },
      y: { field: 'value', type: 'quantitative', title: y, scale: logY ? { type: 'log' } : { zero: true } },
      color: { field: 'series', type: 'nominal', title: null, legend: { labelLimit: 300 } },
      strokeDash: { field: 'kind', type: 'nominal', legend: null, scale: { domain: ['netloom', 'reference'], range: [[1, 0], [6, 3]] } },
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return `${svg}\n`;
}
