// Live line charts (uPlot). A chart is created once per set of series and then only fed new
// data; it is rebuilt when the series change (a broker or an API appears) and destroyed, with
// its resize observer, when its page is left.
import uPlot from './vendor/uplot/uPlot.esm.js';

const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#475569', '#ea580c'];

export class LiveChart {
  constructor(container, title, format) {
    this.container = container;
    this.title = title;
    this.format = format;
    this.plot = null;
    this.key = '';
    this.observer = new ResizeObserver(() => this.plot?.setSize(this.size()));
    this.observer.observe(container);
  }

  size() {
    return { width: Math.max(200, this.container.clientWidth - 8), height: 180 };
  }

  /** `series`: [{ label, values }], each as long as `t` (seconds). */
  update(t, series) {
    // What the chart holds, for a test or a curious operator: samples kept and the largest value.
    this.container.dataset.samples = String(t.length);
    this.container.dataset.peak = String(series.reduce((m, s) => s.values.reduce((n, v) => (v === null || v === undefined ? n : Math.max(n, v)), m), 0));
    const key = series.map((s) => s.label).join('\u0000');
    if (key !== this.key || this.plot === null) {
      this.plot?.destroy();
      this.key = key;
      const fmt = (u, v) => (v === null || v === undefined ? '–' : this.format(v));
      this.plot = new uPlot(
        {
          title: this.title,
          ...this.size(),
          cursor: { drag: { x: false, y: false } },
          legend: { live: true },
          scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max ?? 1) * 1.1] } },
          axes: [{}, { size: 70, values: (u, vals) => vals.map((v) => this.format(v)) }],
          series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: PALETTE[i % PALETTE.length], width: 1.5, value: fmt, spanGaps: false }))],
        },
        [t, ...series.map((s) => s.values)],
        this.container,
      );
      return;
    }
    this.plot.setData([t, ...series.map((s) => s.values)]);
  }

  destroy() {
    this.observer.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }
}
