// Workload history tab: the revisions newest first (GET .../revisions, page by page), two of them compared
// (GET .../revisions/diff), and a rollback to one after a confirmation that shows what would change
// (POST .../rollback, followed like every operation). New revisions arrive through the live stream.
'use strict';
(() => {
  const { api, on, el, ago, showProblem, track, tabs, diffTable } = Gantry;
  const id = document.body.dataset.id;
  const operator = document.body.dataset.operator === 'true';
  const base = `/api/v1/workloads/${id}`;
  const $ = x => document.getElementById(x);
  const rows = document.querySelector('#revisions tbody');
  const errorBox = $('history-error');
  const more = $('revisions-more');
  let shown = false;
  let newest = null;
  let cursor = null;

  const failed = r => { showProblem(null, errorBox, r); };

  function radio(name, revision, checked) {
    return el('input', { type: 'radio', name, value: revision, 'aria-label': `${name} revision ${revision}`,
      checked: checked ? 'checked' : null });
  }

  function row(r) {
    return el('tr', { 'data-revision': r.revision },
      el('td', {}, radio('from', r.revision, r.revision === newest - 1)),
      el('td', {}, radio('to', r.revision, r.revision === newest)),
      el('td', { class: 'num' }, String(r.revision)),
      el('td', { title: r.createdAt }, ago(r.createdAt)),
      el('td', {}, el('span', { class: `badge source-${r.source}` }, r.source)),
      el('td', {}, r.user || '–'),
      el('td', { class: 'wrap' }, r.message || ''),
      operator ? el('td', {}, r.revision === newest ? el('span', { class: 'muted' }, 'current')
        : el('button', { type: 'button', class: 'rollback', 'data-revision': r.revision }, 'Roll back to this')) : null);
  }

  /** The first page again (reset), or the next older one. */
  async function load(reset) {
    const r = await api('GET', `${base}/revisions?limit=20${!reset && cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (!r.ok) { failed(r); return; }
    errorBox.hidden = true;
    if (reset) {
      newest = r.json.items.length ? r.json.items[0].revision : null;
      rows.replaceChildren();
      if (!r.json.items.length) rows.append(el('tr', {}, el('td', { colspan: operator ? 8 : 7, class: 'muted' }, 'No revisions recorded yet.')));
    }
    r.json.items.forEach(item => rows.append(row(item)));
    cursor = r.json.nextCursor || null;
    more.hidden = !cursor;
  }

  async function diff(from, to) {
    const r = await api('GET', `${base}/revisions/diff?from=${from}&to=${to}`);
    if (!r.ok) { failed(r); return null; }
    return r.json;
  }

  $('revision-compare').addEventListener('submit', async e => {
    e.preventDefault();
    const from = document.querySelector('#revisions input[name=from]:checked')?.value;
    const to = document.querySelector('#revisions input[name=to]:checked')?.value;
    if (!from || !to) { failed({ status: 400, json: { title: 'Pick two revisions', detail: 'one as "from" and one as "to"' } }); return; }
    const d = await diff(from, to);
    if (!d) return;
    $('diff-from').textContent = from;
    $('diff-to').textContent = to;
    $('diff-count').textContent = d.differences;
    $('revision-diff').replaceChildren(diffTable('revision-diff-table', [`revision ${from}`, `revision ${to}`], d.fields));
    $('revision-diff-box').hidden = false;
  });

  // Roll back: the confirmation shows what would change from what runs now, then the operation is followed
  // in the actions panel above the tabs.
  const dialog = $('rollback-dialog');
  let target = null;
  rows.addEventListener('click', async e => {
    const button = e.target.closest('button.rollback');
    if (!button) return;
    target = Number(button.dataset.revision);
    const d = await diff(newest, target);
    if (!d) return;
    $('rollback-revision').textContent = target;
    $('rollback-current').textContent = newest;
    $('rollback-diff').replaceChildren(d.differences
      ? diffTable('rollback-diff-table', ['now', `revision ${target}`], d.fields.filter(f => !f.equal))
      : el('p', { class: 'muted' }, 'Nothing: that revision\'s spec is what runs now.'));
    dialog.showModal();
  });
  dialog.addEventListener('close', async () => {
    if (dialog.returnValue !== 'confirm' || target === null) return;
    const r = await api('POST', `${base}/rollback`, { revision: target });
    if (r.status !== 202) { failed(r); return; }
    track(r.json, $('operations') || errorBox.parentElement, op => {
      if (op.state === 'FAILED') failed({ status: 409, json: { title: 'rollback failed', detail: op.message } });
    });
  });

  more.addEventListener('click', () => load(false));
  tabs(tab => {
    if (tab.id === 'tab-history' && !shown) { shown = true; load(true); }
  });
  on('workload.revision', r => { if (shown && r.workloadId === id) load(true); });
})();
