// Dashboard: the engine cards and attention list are re-rendered by the server when something
// changes (at most every 2 s), recent operations follow the stream, the history chart is refetched
// every sample period and when an engine changes state.
'use strict';
(() => {
  const times = () => document.querySelectorAll('.time[data-time]').forEach(d => { if (d.dataset.time) d.textContent = Gantry.ago(d.dataset.time); });
  times();
  let pending = null;
  const refresh = () => {
    if (pending) return;
    pending = setTimeout(async () => {
      pending = null;
      const r = await fetch('/?part=live');
      if (r.ok) { document.getElementById('live-part').outerHTML = await r.text(); times(); }
    }, 2000);
  };
  ['workload.updated', 'workload.deleted', 'engine.status'].forEach(e => Gantry.on(e, refresh));
  Gantry.api('GET', '/api/v1/operations?limit=10').then(r => {
    OperationsTable.mount(document.getElementById('recent-operations'), r.json?.items || [],
      'No operations yet. Deploy, scale or restart a workload and its progress shows here.');
  });
  setInterval(times, 15000);

  const palette = ['--accent', '--ok', '--warn', '--info', '--bad', '--idle'];
  const chart = Charts.create(document.getElementById('history-chart'), document.getElementById('history-empty'),
    { n: Charts.count('running instances') });
  let next = null;
  async function history() {
    clearTimeout(next);
    const r = await Gantry.api('GET', '/api/v1/history?since=PT6H');
    if (!r.ok) return;
    // engines are sampled together: one time axis, an engine without a sample at a time is a gap
    const engines = r.json.engines.filter(e => e.points.length);
    const times = [...new Set(engines.flatMap(e => e.points.map(p => Charts.seconds(p.at))))].sort((a, b) => a - b);
    const columns = engines.map(e => {
      const running = new Map(e.points.map(p => [Charts.seconds(p.at), p.running]));
      return times.map(t => running.has(t) ? running.get(t) : null);
    });
    chart.show([times, ...columns], engines.map((e, i) => ({ label: e.name, color: palette[i % palette.length] })));
    document.querySelectorAll('.sample-period').forEach(s => { s.textContent = r.json.samplePeriodSeconds; });
    next = setTimeout(history, r.json.samplePeriodSeconds * 1000);
  }
  Gantry.on('engine.status', history);
  history();
})();
