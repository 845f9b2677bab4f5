// Teams and grants (ADMIN): list, add, delete; every change goes through /api/v1/teams and /api/v1/grants.
'use strict';
(() => {
  const { api, el, ago, showProblem } = Gantry;
  const $ = id => document.getElementById(id);
  function table(id, headers, rows) {
    return el('div', { class: 'table-wrap' }, el('table', { id },
      el('thead', {}, el('tr', {}, headers.map(h => el('th', { scope: 'col' }, h)))), el('tbody', {}, rows)));
  }
  function remove(label, url, reload, errorBox) {
    const button = el('button', { type: 'button', class: 'danger' }, 'Delete');
    button.addEventListener('click', async () => {
      if (!confirm(`Delete ${label}?`)) return;
      const r = await api('DELETE', url);
      r.ok ? reload() : showProblem(null, errorBox, r);
    });
    return button;
  }
  async function loadTeams() {
    const teams = (await api('GET', '/api/v1/teams')).json?.items || [];
    $('teams').replaceChildren(teams.length ? table('teams-table', ['Name', 'Members', 'Group', ''], teams.map(t =>
      el('tr', { 'data-team': t.name }, el('td', {}, t.name), el('td', {}, t.members.join(', ') || '–'),
        el('td', {}, t.oidcGroup || '–'), el('td', {}, remove(`team ${t.name} and its grants`, `/api/v1/teams/${t.id}`,
          () => { loadTeams(); loadGrants(); }, $('team-error'))))))
      : el('p', { class: 'muted' }, 'No teams yet.'));
  }
  async function loadGrants() {
    const grants = (await api('GET', '/api/v1/grants')).json?.items || [];
    $('grants').replaceChildren(grants.length ? table('grants-table', ['To', 'Role', 'Engine', 'Namespaces', 'Given', ''], grants.map(g =>
      el('tr', {}, el('td', {}, g.team ? `team ${g.team}` : `user ${g.user}`), el('td', {}, g.role), el('td', {}, g.engine),
        el('td', {}, el('code', {}, g.namespace)), el('td', { title: g.createdAt }, `${ago(g.createdAt)} by ${g.createdBy}`),
        el('td', {}, remove('this grant', `/api/v1/grants/${g.id}`, loadGrants, $('grant-error'))))))
      : el('p', { class: 'muted' }, 'No grants yet.'));
  }
  $('team-form').addEventListener('submit', async e => {
    e.preventDefault();
    const members = $('team-members').value.split(',').map(m => m.trim()).filter(Boolean);
    const r = await api('POST', '/api/v1/teams', { name: $('team-name').value.trim(), members, oidcGroup: $('team-group').value.trim() || null });
    if (!r.ok) { showProblem(e.target, $('team-error'), r); return; }
    $('team-error').hidden = true; e.target.reset(); showProblem(e.target, null, { json: {} }); loadTeams();
  });
  $('grant-holder-kind').addEventListener('change', e => $('grant-holder').dataset.field = e.target.value);
  $('grant-form').addEventListener('submit', async e => {
    e.preventDefault();
    const body = { role: $('grant-role').value, engine: $('grant-engine').value.trim(), namespace: $('grant-namespace').value.trim() };
    body[$('grant-holder-kind').value] = $('grant-holder').value.trim();
    const r = await api('POST', '/api/v1/grants', body);
    if (!r.ok) { showProblem(e.target, $('grant-error'), r); return; }
    $('grant-error').hidden = true; showProblem(e.target, null, { json: {} }); loadGrants();
  });
  loadTeams();
  loadGrants();
})();
