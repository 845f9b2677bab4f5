// Dashboard: the engine cards and attention list are re-rendered by the server when something
// changes (at most every 2 s), recent operations follow the stream.
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
})();
