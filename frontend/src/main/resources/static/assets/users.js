// Users (ADMIN): list, add, change role, disable, delete, reset two-factor; require two-factor of everyone,
// allow or refuse password sign-in.
// Every change goes through the REST API.
'use strict';
(() => {
  const { api, el, ago, showProblem } = Gantry;
  const $ = id => document.getElementById(id);
  const problem = r => showProblem($('user-form'), $('user-error'), r);
  async function load() {
    const users = (await api('GET', '/api/v1/users')).json?.items || [];
    $('users').replaceChildren(el('div', { class: 'table-wrap' }, el('table', { id: 'users-table' },
      el('thead', {}, el('tr', {}, ['Username', 'Role', 'State', 'Two-factor', 'Created', 'Actions'].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, users.map(u => {
        const role = el('select', { 'aria-label': `Role of ${u.username}` }, ['NONE', 'VIEWER', 'OPERATOR', 'ADMIN'].map(r => el('option', { selected: r === u.role ? 'selected' : null }, r)));
        role.addEventListener('change', async () => { const r = await api('PUT', `/api/v1/users/${u.username}`, { role: role.value }); if (!r.ok) { problem(r); load(); } });
        const toggle = el('button', { type: 'button' }, u.disabled ? 'Enable' : 'Disable');
        toggle.addEventListener('click', async () => { const r = await api('PUT', `/api/v1/users/${u.username}`, { disabled: !u.disabled }); r.ok ? load() : problem(r); });
        const del = el('button', { type: 'button', class: 'danger' }, 'Delete');
        del.addEventListener('click', async () => { if (confirm(`Delete user ${u.username}?`)) { const r = await api('DELETE', `/api/v1/users/${u.username}`); r.ok ? load() : problem(r); } });
        const reset = el('button', { type: 'button', hidden: u.twoFactor ? null : 'hidden' }, 'Reset two-factor');
        reset.addEventListener('click', async () => {
          if (confirm(`Remove the authenticator of ${u.username}? They sign in with their password alone until they enrol again.`)) {
            const r = await api('DELETE', `/api/v1/users/${u.username}/totp`); r.ok ? load() : problem(r);
          }
        });
        return el('tr', { 'data-user': u.username }, el('td', {}, u.username), el('td', {}, role),
          el('td', {}, u.disabled ? 'disabled' : 'active'), el('td', {}, u.twoFactor ? 'on' : 'off'),
          el('td', { title: u.createdAt }, ago(u.createdAt)), el('td', {}, toggle, ' ', reset, ' ', del));
      })))));
  }
  $('user-form').addEventListener('submit', async e => {
    e.preventDefault();
    const r = await api('POST', '/api/v1/users', { username: $('u-name').value.trim(), password: $('u-password').value, role: $('u-role').value });
    if (!r.ok) { problem(r); return; }
    $('user-error').hidden = true; e.target.reset(); showProblem(e.target, null, { json: {} }); load();
  });
  async function loadSettings() {
    const settings = (await api('GET', '/api/v1/settings/security')).json;
    if (!settings) return;
    $('require-totp').checked = settings.totpRequired;
    $('password-login').checked = settings.passwordLogin;
  }
  for (const [id, field] of [['require-totp', 'totpRequired'], ['password-login', 'passwordLogin']]) {
    $(id).addEventListener('change', async e => {
      const r = await api('PUT', '/api/v1/settings/security', { [field]: e.target.checked });
      if (!r.ok) { problem(r); loadSettings(); }
    });
  }
  load();
  loadSettings();
})();
