// Small SVG bar charts, drawn from numbers only; each carries its figures as text for screen readers.
const NS = "http://www.w3.org/2000/svg";

function svg(tag, attributes) {
  const element = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

/** Vertical bars for `values` labelled by `labels`; `title` names the chart. */
export function barChart(title, labels, values, { height = 140 } = {}) {
  const width = Math.max(240, labels.length * 28);
  const max = Math.max(1, ...values);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height + 24}`, role: "img", class: "chart" });
  chart.setAttribute("aria-label", `${title}: ${labels.map((l, i) => `${l} ${values[i]}`).join(", ")}`);
  const step = width / labels.length;
  labels.forEach((label, i) => {
    const barHeight = Math.round((values[i] / max) * (height - 16));
    const x = i * step + step * 0.15;
    chart.append(svg("rect", { x, y: height - barHeight, width: step * 0.7, height: barHeight, rx: 2, class: "bar" }));
    if (values[i] > 0) {
      const count = svg("text", { x: x + step * 0.35, y: height - barHeight - 3, "text-anchor": "middle", class: "count" });
      count.textContent = values[i];
      chart.append(count);
    }
    const text = svg("text", { x: x + step * 0.35, y: height + 16, "text-anchor": "middle", class: "label" });
    text.textContent = label;
    chart.append(text);
  });
  return chart;
}
