// Bulk actions on the workloads table: select rows (or every row the filter matches, across pages), pick an
// action, see the preview grouped by engine with the refusals explained, confirm (typing the count for a
// delete), then follow the run's progress. The server does the planning (POST /api/v1/bulk/preview) and the
// run (POST /api/v1/bulk); this page only shows them.
'use strict';
(() => {
  const $ = id => document.getElementById(id);
  const bar = $('bulk-bar');
  if (!bar) return;
  const { api, el, badge, showProblem } = Gantry;
  const total = Number(bar.dataset.total);
  const dialog = $('bulk-dialog');
  let all = false;
  let plan = null;

  const checked = () => [...document.querySelectorAll('input.select:checked')].map(c => c.value);
  const action = () => $('bulk-action').value;

  function showSelection() {
    const n = checked().length;
    bar.dataset.all = String(all);
    $('bulk-selection').textContent = all ? `All ${total} matching this filter selected`
      : n ? `${n} row(s) selected` : 'No rows selected';
    $('bulk-preview').disabled = !all && n === 0;
  }

  document.addEventListener('change', e => {
    if (e.target.matches('input.select')) { all = false; showSelection(); }
  });
  $('select-matching')?.addEventListener('click', () => {
    all = true;
    document.querySelectorAll('input.select').forEach(c => { c.checked = true; });
    showSelection();
  });
  $('bulk-action').addEventListener('change', () => {
    document.querySelectorAll('.bulk-param').forEach(p => { p.hidden = p.dataset.for !== action(); });
  });

  /** The applied filter is the page's URL: the same terms the list matched, so "all matching" means these rows. */
  function selector() {
    if (!all) return { ids: checked() };
    const url = new URLSearchParams(location.search);
    const s = {};
    for (const term of ['engine', 'engineKind', 'namespace', 'kind', 'phase', 'q']) if (url.get(term)) s[term] = url.get(term);
    if (url.getAll('label').length) s.label = url.getAll('label').filter(Boolean);
    return s;
  }

  function params() {
    switch (action()) {
      case 'scale': return { replicas: Number($('bulk-replicas').value) };
      case 'update': return { image: $('bulk-image').value.trim() };
      case 'copy': return { targetEngine: $('bulk-target').value };
      case 'label': return labelParams();
      default: return {};
    }
  }

  /** "k=v, k2=v2" to set and "k3, k4" to remove; a term without "=" in the first box is a key to set to "". */
  function labelParams() {
    const terms = v => v.split(',').map(t => t.trim()).filter(Boolean);
    const add = {};
    for (const t of terms($('bulk-label-add').value)) {
      const at = t.indexOf('=');
      add[at < 0 ? t : t.slice(0, at).trim()] = at < 0 ? '' : t.slice(at + 1).trim();
    }
    return { add, remove: terms($('bulk-label-remove').value) };
  }

  const show = v => v === null || v === undefined ? '–' : typeof v === 'object' ? JSON.stringify(v) : String(v);

  function change(item) {
    const fields = (item.change?.fields || []).filter(f => !f.equal);
    return fields.length ? fields.map(f => `${f.path}: ${show(f.values[0])} → ${show(f.values[1])}`).join('; ') : '';
  }

  function renderPlan() {
    const allowed = plan.items.filter(i => i.allowed).length;
    $('bulk-title').textContent = `${action()}: ${plan.total} workload(s)`;
    $('bulk-summary').textContent = `${allowed} will be acted on` + (plan.total - allowed ? `, ${plan.total - allowed} refused` : '') + '.';
    const groups = Object.entries(plan.byEngine).map(([engine, count]) => el('section', { class: 'bulk-engine', 'data-engine': engine },
      el('h3', {}, `${engine} (${count})`),
      el('table', { class: 'bulk-plan-table' },
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Workload'), el('th', { scope: 'col' }, 'Namespace'),
          el('th', { scope: 'col' }, 'Plan'), el('th', { scope: 'col' }, 'Change'))),
        el('tbody', {}, plan.items.filter(i => i.workload.engine === engine).map(i =>
          el('tr', { class: i.allowed ? 'allowed' : 'refused', 'data-id': i.workload.id },
            el('td', {}, i.workload.name), el('td', {}, i.workload.namespace),
            el('td', {}, i.allowed ? 'will run' : `refused: ${i.reason}`), el('td', { class: 'mono' }, change(i))))))));
    $('bulk-plan').replaceChildren(...groups);
    const destructive = action() === 'delete';
    $('bulk-type-count').hidden = !destructive;
    $('bulk-count').textContent = String(allowed);
    $('bulk-confirm-count').value = '';
    $('bulk-run').disabled = allowed === 0 || destructive;
  }

  $('bulk-confirm-count').addEventListener('input', e => {
    $('bulk-run').disabled = e.target.value.trim() !== $('bulk-count').textContent;
  });

  $('bulk-preview').addEventListener('click', async () => {
    $('bulk-error').hidden = true;
    const r = await api('POST', '/api/v1/bulk/preview', { selector: selector(), action: action(), params: params() });
    plan = r.ok ? r.json : { items: [], total: 0, byEngine: {} };
    renderPlan();
    if (!r.ok) showProblem(null, $('bulk-error'), r);
    dialog.showModal();
  });

  $('bulk-run').addEventListener('click', async e => {
    e.preventDefault();
    const body = { selector: selector(), action: action(), params: params(), expectTotal: plan.total,
      stopOnFailure: $('bulk-stop').checked };
    if ($('bulk-batch').value) body.batchSize = Number($('bulk-batch').value);
    const r = await api('POST', '/api/v1/bulk', body);
    if (r.status !== 202) { showProblem(null, $('bulk-error'), r); return; }
    dialog.close('confirm');
    follow(r.json.id);
  });

  function follow(id) {
    const box = $('bulk-progress');
    box.hidden = false;
    box.dataset.run = id;
    $('bulk-cancel').onclick = () => api('POST', `/api/v1/bulk/${id}/cancel`).then(poll);
    async function poll() {
      const r = await api('GET', `/api/v1/bulk/${id}`);
      if (!r.ok) { $('bulk-progress-message').textContent = r.json?.detail || `HTTP ${r.status}`; return; }
      const run = r.json;
      $('bulk-progress-action').textContent = run.action;
      $('bulk-state').replaceChildren(badge('state', run.state));
      box.dataset.state = run.state;
      const done = run.batches.filter(b => b.state === 'SUCCEEDED').length;
      $('bulk-progress-message').textContent = `${done} of ${run.batches.length} batch(es) done` + (run.message ? ` — ${run.message}` : '');
      $('bulk-cancel').hidden = run.state !== 'RUNNING';
      $('bulk-items').tBodies[0].replaceChildren(...run.items.map(i => el('tr', { 'data-id': i.workloadId, 'data-state': i.state },
        el('td', {}, i.workloadName), el('td', {}, i.engine), el('td', { class: 'num' }, i.batch || '–'),
        el('td', {}, badge('state', i.state)), el('td', { class: 'muted' }, i.message || ''))));
      if (run.state === 'RUNNING' || run.items.some(i => i.state === 'RUNNING')) setTimeout(poll, 1000);
    }
    poll();
  }

  showSelection();
})();
