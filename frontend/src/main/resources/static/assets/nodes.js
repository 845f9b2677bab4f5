// Nodes per engine: one table each, asked of the engines in parallel; an engine that fails says why.
'use strict';
(async () => {
  const { api, el, badge } = Gantry;
  const box = document.getElementById('nodes');
  const engines = (await api('GET', '/api/v1/engines')).json?.items || [];
  if (!engines.length) { box.replaceChildren(el('p', { class: 'panel empty' }, 'No engines yet: ', el('a', { href: '/engines' }, 'add one'), ' to see its nodes.')); return; }
  const gib = b => b == null ? '–' : `${(b / 1073741824).toFixed(1)} GiB`;
  const sections = await Promise.all(engines.map(async e => {
    const r = await api('GET', `/api/v1/engines/${e.id}/nodes`);
    const title = el('h2', {}, e.name, ' ', el('span', { class: 'muted' }, e.kind), ' ', badge('status', e.status));
    if (!r.ok) return el('section', { 'data-engine': e.name }, title, el('div', { class: 'alert error' }, r.json?.detail || `HTTP ${r.status}`));
    const nodes = r.json.items || [];
    return el('section', { 'data-engine': e.name }, title, nodes.length ? el('div', { class: 'table-wrap' }, el('table', {},
      el('thead', {}, el('tr', {}, ['Name', 'Address', 'Status', 'Role', 'CPU', 'Memory', 'Labels'].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, nodes.map(n => el('tr', {}, el('td', {}, n.name), el('td', { class: 'mono' }, n.address || ''),
        el('td', {}, n.status || ''), el('td', {}, n.role || ''), el('td', { class: 'num' }, n.cpuMillis == null ? '–' : `${n.cpuMillis / 1000} cores`),
        el('td', { class: 'num' }, gib(n.memoryBytes)),
        el('td', {}, Object.entries(n.labels || {}).map(([k, v]) => `${k}=${v}`).join(', ')))))))
      : el('p', { class: 'muted' }, 'This engine reports no nodes.'));
  }));
  box.replaceChildren(...sections);
  // a search result links to /nodes#<engine>: bring that engine's table into view
  const wanted = decodeURIComponent(location.hash.slice(1));
  const section = sections.find(s => s.dataset.engine === wanted);
  if (section) { section.classList.add('highlight'); section.scrollIntoView(); }
})();
