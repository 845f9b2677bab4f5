// Operations journal: newest first, filters kept in the URL, running ones move live.
'use strict';
(async () => {
  const params = new URLSearchParams(location.search);
  const form = document.getElementById('op-filters');
  for (const [k, v] of params) if (form.elements[k]) form.elements[k].value = v;
  const query = new URLSearchParams([...params].filter(([k, v]) => ['state', 'engine'].includes(k) && v));
  query.set('limit', '200');
  const r = await Gantry.api('GET', `/api/v1/operations?${query}`);
  if (!r.ok) { Gantry.showProblem(form, document.getElementById('op-error'), r); }
  OperationsTable.mount(document.getElementById('journal'), r.json?.items || [],
    'No operations match. Actions on workloads (deploy, scale, restart, delete) are journaled here.');
})();
