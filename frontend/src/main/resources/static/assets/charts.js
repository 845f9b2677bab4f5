// Time-series charts over uPlot (served from its WebJar): colours from the stylesheet's variables, so
// they follow dark mode; the width follows the container; an empty state replaces a chart without data.
'use strict';
const Charts = (() => {
  const color = name => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const dark = window.matchMedia('(prefers-color-scheme: dark)');
  const stepped = uPlot.paths.stepped({ align: 1 });

  /**
   * A chart in {@code box}; {@code scales} maps a scale name to {label, format, whole?} of its axis (the first
   * scale's axis is on the left, a second one on the right). Returns {show(data, series)}: data is uPlot's [[seconds...], [values...]...],
   * series are {label, color: a CSS variable, scale?, dash?, step?}. Without data {@code empty} shows instead.
   */
  function create(box, empty, scales) {
    let chart = null;
    let last = null;
    let series = [];
    const axisFor = (scale, side) => ({
      scale, side, label: scales[scale].label, size: side === 1 ? 75 : 60,
      // counts are whole: no ticks at 1.5 instances
      incrs: scales[scale].whole ? [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000] : undefined,
      stroke: color('--muted'), grid: { show: side === 3, stroke: color('--line'), width: 1 },
      ticks: { stroke: color('--line') }, values: (u, vals) => vals.map(scales[scale].format),
    });
    const options = () => ({
      width: Math.max(box.clientWidth, 200), height: 200,
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      scales: Object.fromEntries(Object.keys(scales).map(s => [s, { range: (u, min, max) => [0, Math.max(max * 1.1, 1)] }])),
      axes: [{ stroke: color('--muted'), grid: { stroke: color('--line'), width: 1 }, ticks: { stroke: color('--line') } },
        ...Object.keys(scales).map((s, i) => axisFor(s, i === 0 ? 3 : 1))],
      series: [{ label: 'Time' }, ...series.map(s => ({
        label: s.label, scale: s.scale || Object.keys(scales)[0], stroke: color(s.color), width: 2,
        dash: s.dash, paths: s.step ? stepped : undefined, spanGaps: false,
        value: (u, v) => v == null ? '–' : scales[s.scale || Object.keys(scales)[0]].format(v),
      }))],
    });
    const draw = () => {
      chart?.destroy();
      chart = null;
      const hasData = last && last[0].length > 0;
      empty.hidden = hasData;
      box.hidden = !hasData;
      if (hasData) chart = new uPlot(options(), last, box);
    };
    new ResizeObserver(() => { if (chart && box.clientWidth) chart.setSize({ width: box.clientWidth, height: 200 }); }).observe(box);
    dark.addEventListener('change', draw);
    return {
      show(data, newSeries) {
        const same = JSON.stringify(newSeries) === JSON.stringify(series);
        last = data;
        series = newSeries;
        if (chart && same && data[0].length > 0) chart.setData(data);
        else draw();
      },
    };
  }

  const seconds = iso => Date.parse(iso) / 1000;
  const whole = v => v == null ? '' : String(Math.round(v));
  /** A scale of counts: whole-number ticks. */
  const count = label => ({ label, format: whole, whole: true });
  return { create, seconds, count };
})();
