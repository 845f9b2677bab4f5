// Own access (role and grants), API tokens (list without secrets, create: the secret is shown once, revoke),
// sessions (list, end).
'use strict';
(() => {
  const { api, el, ago, showProblem } = Gantry;
  const $ = id => document.getElementById(id);
  async function load() {
    const tokens = (await api('GET', '/api/v1/tokens')).json?.items || [];
    if (!tokens.length) { $('tokens').replaceChildren(el('p', { class: 'muted' }, 'No tokens yet: create one below for scripts and CI.')); return; }
    $('tokens').replaceChildren(el('div', { class: 'table-wrap' }, el('table', { id: 'tokens-table' },
      el('thead', {}, el('tr', {}, ['Name', 'Role', 'Created', 'Expires', ''].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, tokens.map(t => {
        const revoke = el('button', { type: 'button', class: 'danger' }, 'Revoke');
        revoke.addEventListener('click', async () => { const r = await api('DELETE', `/api/v1/tokens/${t.id}`); r.ok ? load() : showProblem(null, $('token-error'), r); });
        return el('tr', {}, el('td', {}, t.name), el('td', {}, t.role), el('td', { title: t.createdAt || '' }, ago(t.createdAt)),
          el('td', {}, t.expiresAt || 'never'), el('td', {}, revoke));
      })))));
  }
  async function loadSessions() {
    const sessions = (await api('GET', '/api/v1/auth/sessions')).json?.items || [];
    $('sessions').replaceChildren(el('div', { class: 'table-wrap' }, el('table', { id: 'sessions-table' },
      el('thead', {}, el('tr', {}, ['Signed in', 'Last used', 'From', 'Browser', ''].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, sessions.map(s => {
        const end = el('button', { type: 'button', class: 'danger' }, s.current ? 'Sign out' : 'End');
        end.addEventListener('click', async () => {
          const r = await api('DELETE', `/api/v1/auth/sessions/${s.id}`);
          if (!r.ok) { showProblem(null, $('session-error'), r); return; }
          s.current ? location.assign('/login?logout') : loadSessions();
        });
        return el('tr', { 'data-session': s.id }, el('td', { title: s.createdAt || '' }, ago(s.createdAt)),
          el('td', { title: s.lastUsedAt || '' }, ago(s.lastUsedAt)), el('td', {}, s.clientAddress || '–'),
          el('td', {}, s.userAgent || '–', s.current ? el('span', { class: 'badge' }, ' this browser') : ''), el('td', {}, end));
      })))));
  }
  $('token-form').addEventListener('submit', async e => {
    e.preventDefault();
    const body = { name: $('t-name').value.trim(), role: $('t-role').value || null, expiresAt: $('t-expires').value.trim() || null };
    const r = await api('POST', '/api/v1/tokens', body);
    if (!r.ok) { showProblem(e.target, $('token-error'), r); return; }
    $('token-error').hidden = true;
    const secret = $('token-secret');
    secret.hidden = false;
    secret.replaceChildren('Copy the token now, it is not shown again: ', el('code', { id: 'token-value' }, r.json.token));
    e.target.reset(); load();
  });
  async function loadAccess() {
    const me = (await api('GET', '/api/v1/auth/me')).json;
    if (!me) return;
    $('access').textContent = me.role === 'NONE'
      ? 'Your own role is NONE: you see and do only what the grants below give you.'
      : `Your role is ${me.role} on every engine${me.grants.length ? '; grants add to it:' : '.'}`;
    $('grants').replaceChildren(...(me.grants.length ? [el('div', { class: 'table-wrap' }, el('table', { id: 'my-grants' },
      el('thead', {}, el('tr', {}, ['Role', 'Engine', 'Namespaces', 'Through'].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, me.grants.map(g => el('tr', {}, el('td', {}, g.role), el('td', {}, g.engine),
        el('td', {}, el('code', {}, g.namespace)), el('td', {}, g.team ? `team ${g.team}` : 'you'))))))] : []));
  }
  loadAccess();
  load();
  loadSessions();
})();
