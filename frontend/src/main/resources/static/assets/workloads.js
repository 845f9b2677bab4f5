// Workloads table: live row updates from the stream, relative times, row selection for Compare.
'use strict';
(() => {
  const table = document.getElementById('workloads');
  const compare = document.getElementById('compare');
  const selected = () => [...document.querySelectorAll('input.select:checked')].map(c => c.value);

  document.addEventListener('change', e => {
    if (e.target.matches('input.select')) {
      const n = selected().length;
      compare.disabled = n < 2;
      compare.textContent = n ? `Compare (${n})` : 'Compare';
    }
  });
  compare.addEventListener('click', () => { location.href = '/compare?ids=' + selected().join(','); });

  const refreshTimes = () => document.querySelectorAll('td.updated[data-time]').forEach(td => {
    td.textContent = Gantry.ago(td.dataset.time);
    td.title = td.dataset.time;
  });
  refreshTimes();
  setInterval(refreshTimes, 15000);

  if (!table) return;
  // Only rows already on this page change in place: a new workload would break the sort and the
  // cursor, so it waits for the next load.
  Gantry.on('workload.updated', w => {
    const row = table.querySelector(`tr[data-id="${w.id}"]`);
    if (!row) return;
    row.querySelector('.replicas').textContent = `${w.status.running}/${w.status.desired}`;
    row.querySelector('.image').textContent = w.spec.image ?? '';
    const phase = row.querySelector('.phase');
    phase.replaceChildren(Gantry.badge('phase', w.status.phase));
    if (w.stale) phase.append(' ', Gantry.el('span', { class: 'stale', title: 'The engine is down: last known state' }, 'STALE'));
    const updated = row.querySelector('.updated');
    updated.dataset.time = w.updatedAt || w.syncedAt;
    updated.textContent = Gantry.ago(updated.dataset.time);
    row.classList.remove('flash');
    void row.offsetWidth;
    row.classList.add('flash');
  });
  Gantry.on('workload.deleted', w => {
    const row = table.querySelector(`tr[data-id="${w.id}"]`);
    if (row) { row.querySelector('.phase').replaceChildren(Gantry.el('span', { class: 'badge phase-UNKNOWN' }, 'DELETED')); }
  });
})();
