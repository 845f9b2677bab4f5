// Secrets and configs: filter by engine, namespace and kind; a table of what the engines keep (names, keys, the
// workloads that use each); create, rotate (new values for an object, as an operation) and delete (a 409 lists the
// workloads that still use it). Secret values are typed into password inputs and never read back.
'use strict';
(() => {
  const { api, el, ago, showProblem, track } = Gantry;
  const $ = id => document.getElementById(id);
  const form = $('config-form');
  let rotating = null;

  function row(key = '', secret = true) {
    const n = $('c-rows').children.length;
    const remove = el('button', { type: 'button', 'aria-label': 'Remove this key' }, 'Remove');
    const r = el('div', { class: 'actions config-row' },
      el('div', { class: 'field' }, el('label', { for: `c-key-${n}` }, 'Key'),
        el('input', { id: `c-key-${n}`, class: 'c-key', value: key, autocomplete: 'off' })),
      el('div', { class: 'field' }, el('label', { for: `c-value-${n}` }, 'Value'),
        el(secret ? 'input' : 'textarea', { id: `c-value-${n}`, class: 'c-value', type: secret ? 'password' : null,
          autocomplete: secret ? 'new-password' : 'off', rows: secret ? null : 3 })),
      remove);
    remove.addEventListener('click', () => r.remove());
    $('c-rows').append(r);
  }

  function resetForm() {
    rotating = null;
    form?.reset();
    if (!form) return;
    ['c-kind', 'c-engine', 'c-namespace', 'c-name'].forEach(id => { $(id).disabled = false; });
    $('config-edit-title').textContent = 'Create a secret or config';
    $('c-submit').textContent = 'Create';
    $('c-cancel').hidden = true;
    $('c-rows').replaceChildren();
    row('', true);
  }

  function startRotation(c) {
    rotating = c;
    $('c-kind').value = c.kind; $('c-engine').value = c.engine; $('c-namespace').value = c.namespace; $('c-name').value = c.name;
    ['c-kind', 'c-engine', 'c-namespace', 'c-name'].forEach(id => { $(id).disabled = true; });
    $('config-edit-title').textContent = `Rotate ${c.kind.toLowerCase()} ${c.name}: new values for every key`;
    $('c-submit').textContent = 'Rotate';
    $('c-cancel').hidden = false;
    $('c-rows').replaceChildren();
    c.keys.forEach(k => row(k, c.kind === 'SECRET'));
    $('config-editor').scrollIntoView();
  }

  function data() {
    const d = {};
    $('c-rows').querySelectorAll('.config-row').forEach(r => {
      const key = r.querySelector('.c-key').value.trim();
      if (key) d[key] = r.querySelector('.c-value').value;
    });
    return d;
  }

  async function loadEngines() {
    const engines = (await api('GET', '/api/v1/engines')).json?.items || [];
    const options = () => engines.map(e => el('option', { value: e.name }, e.name));
    $('f-engine').append(...options());
    if ($('c-engine')) $('c-engine').append(...options());
  }

  async function load() {
    const q = new URLSearchParams();
    if ($('f-engine').value) q.set('engine', $('f-engine').value);
    if ($('f-namespace').value.trim()) q.set('namespace', $('f-namespace').value.trim());
    if ($('f-kind').value) q.set('kind', $('f-kind').value);
    const r = await api('GET', `/api/v1/configs?${q}`);
    if (!r.ok) { showProblem(null, $('config-error'), r); return; }
    const items = r.json.items;
    if (!items.length) { $('configs').replaceChildren(el('p', { class: 'muted' }, 'No secrets or configs here.')); return; }
    const operator = !!form;
    $('configs').replaceChildren(el('div', { class: 'table-wrap' }, el('table', { id: 'configs-table' },
      el('thead', {}, el('tr', {}, ['Name', 'Kind', 'Engine', 'Namespace', 'Keys', 'Used by', 'Updated', ''].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, items.map(c => {
        const actions = el('td', { class: 'actions' });
        if (operator) {
          const rotate = el('button', { type: 'button' }, 'Rotate');
          rotate.addEventListener('click', () => startRotation(c));
          const del = el('button', { type: 'button', class: 'danger' }, 'Delete');
          del.addEventListener('click', () => remove(c));
          actions.append(rotate, del);
        }
        return el('tr', { 'data-config': c.id, 'data-name': c.name },
          el('td', {}, c.name), el('td', {}, c.kind), el('td', {}, c.engine), el('td', {}, c.namespace || '–'),
          el('td', { class: 'mono' }, c.keys.join(', ')),
          el('td', { class: 'users' }, c.usedBy.length ? c.usedBy.flatMap((u, i) => [i ? ', ' : '',
            el('a', { href: `/workloads/${u.id}` }, u.name)]) : '–'),
          el('td', { title: c.updatedAt || '' }, ago(c.updatedAt)), actions);
      })))));
  }

  async function remove(c) {
    if (!confirm(`Delete ${c.kind.toLowerCase()} ${c.name}?`)) return;
    const r = await api('DELETE', `/api/v1/configs/${c.id}`);
    if (!r.ok) {
      showProblem(null, $('config-error'), r);
      if (r.json?.usedBy) {
        $('config-error').append(' ', ...r.json.usedBy.flatMap((u, i) => [i ? ', ' : '',
          el('a', { href: `/workloads/${u.id}` }, u.name)]));
      }
      return;
    }
    $('config-error').hidden = true;
    load();
  }

  form?.addEventListener('submit', async e => {
    e.preventDefault();
    const r = rotating
      ? await api('PUT', `/api/v1/configs/${rotating.id}/data`, { data: data() })
      : await api('POST', '/api/v1/configs', { kind: $('c-kind').value, engine: $('c-engine').value,
        namespace: $('c-namespace').value.trim() || null, name: $('c-name').value.trim(), data: data() });
    if (!r.ok) { showProblem(form, $('config-error'), r); return; }
    $('config-error').hidden = true;
    if (rotating) track(r.json, $('config-operations'), () => load());
    resetForm();
    load();
  });
  $('c-add-row')?.addEventListener('click', () => row('', $('c-kind').value === 'SECRET'));
  $('c-kind')?.addEventListener('change', () => { $('c-rows').replaceChildren(); row('', $('c-kind').value === 'SECRET'); });
  $('c-cancel')?.addEventListener('click', resetForm);
  $('config-filter').addEventListener('submit', e => { e.preventDefault(); load(); });

  resetForm();
  // a link from a workload's page names its engine and namespace (and the object, marked in the table)
  const asked = new URLSearchParams(location.search);
  if (asked.get('namespace')) $('f-namespace').value = asked.get('namespace');
  loadEngines().then(() => {
    if (asked.get('engine')) $('f-engine').value = asked.get('engine');
    return load();
  }).then(() => {
    const name = asked.get('name');
    const target = name && [...document.querySelectorAll('#configs-table tr[data-name]')].find(r => r.dataset.name === name);
    if (target) { target.classList.add('diff'); target.setAttribute('aria-current', 'true'); }
  });
})();
