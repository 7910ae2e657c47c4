// Horizontal bar charts as inline SVG, built with DOM APIs (no chart library, no inline style: the
// classes are in styles.css). A chart is an image with a name (role="img", aria-label); the table
// beside it is its accessible equivalent and carries the same figures. A suppressed figure has no
// bar: its row shows the mark of a figure not published.
import { scaleBars, type ShownFigure } from "../statistics/figures";

const svgNs = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

const width = 640;
const labelWidth = 230;
const valueWidth = 60;
const rowHeight = 24;
const barHeight = 16;

/** A bar chart of labelled figures; `name` is its accessible name. */
export function barChart(id: string, name: string, items: readonly { label: string; figure: ShownFigure }[]): SVGSVGElement {
  const plot = width - labelWidth - valueWidth;
  const { bars } = scaleBars(items, plot);
  const height = Math.max(1, bars.length) * rowHeight + 8;
  const root = svg("svg", {
    id,
    class: "chart",
    role: "img",
    "aria-label": name,
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    preserveAspectRatio: "xMinYMin meet",
  });
  root.appendChild(svg("line", { class: "chart-axis", x1: labelWidth, y1: 0, x2: labelWidth, y2: height }));
  bars.forEach((bar, i) => {
    const y = i * rowHeight + 4;
    const middle = y + barHeight / 2;
    const row = svg("g", { class: bar.figure.suppressed ? "chart-row suppressed" : "chart-row" });
    row.appendChild(svg("text", { class: "chart-label", x: labelWidth - 8, y: middle, "text-anchor": "end", "dominant-baseline": "middle" }, clip(bar.label)));
    if (!bar.figure.suppressed && bar.length > 0) {
      row.appendChild(svg("rect", { class: "chart-bar", x: labelWidth, y, width: Math.max(1, bar.length).toFixed(1), height: barHeight }));
    }
    row.appendChild(
      svg("text", { class: "chart-value", x: labelWidth + bar.length + 6, y: middle, "dominant-baseline": "middle" }, bar.figure.text),
    );
    root.appendChild(row);
  });
  return root;
}

function clip(label: string): string {
  return label.length > 34 ? `${label.slice(0, 33)}…` : label;
}
