// The operations journal as a table (dashboard and operations page): progress bars for running ones.
'use strict';
const OperationsTable = (() => {
  const { el, badge, ago } = Gantry;
  function row(op, workloads) {
    const target = op.workloadId
      ? el('a', { href: `/workloads/${op.workloadId}` }, workloads?.[op.workloadId] || op.workloadId.slice(0, 8))
      : el('span', { class: 'muted' }, '–');
    return el('tr', { 'data-operation': op.id },
      el('td', { title: op.createdAt }, ago(op.createdAt)), el('td', {}, op.action), el('td', {}, target),
      el('td', {}, op.user || ''), el('td', {}, badge('state', op.state)),
      el('td', {}, el('progress', { max: 100, value: op.progress, 'aria-label': `progress ${op.progress}%` })),
      el('td', { class: 'wrap' }, op.message || ''));
  }
  /** Renders ops into box and keeps them current from operation.updated events. */
  function mount(box, ops, emptyText) {
    if (!ops.length) { box.replaceChildren(el('p', { class: 'muted' }, emptyText)); }
    const body = el('tbody', {}, ops.map(op => row(op)));
    if (ops.length) {
      box.replaceChildren(el('div', { class: 'table-wrap' }, el('table', { class: 'operations' },
        el('thead', {}, el('tr', {}, ['When', 'Action', 'Workload', 'User', 'State', 'Progress', 'Message']
          .map(h => el('th', { scope: 'col' }, h)))), body)));
    }
    Gantry.on('operation.updated', op => {
      const existing = box.querySelector(`tr[data-operation="${op.id}"]`);
      if (existing) existing.replaceWith(row(op));
      else if (box.querySelector('tbody')) box.querySelector('tbody').prepend(row(op));
      else mount(box, [op], emptyText);
    });
  }
  return { mount };
})();
