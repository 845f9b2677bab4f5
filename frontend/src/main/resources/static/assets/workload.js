// Workload detail: actions through the REST API (each followed to its end), live status, history
// and usage charts, log tail, events and the redacted native object.
'use strict';
(() => {
  const { api, on, el, badge, ago, showProblem, track, diffTable } = Gantry;
  const id = document.body.dataset.id;
  const name = document.body.dataset.name;
  const base = `/api/v1/workloads/${id}`;
  const alertBox = document.getElementById('action-error');
  const opsBox = document.getElementById('operations');

  async function act(method, url, body, form) {
    alertBox.hidden = true;
    const r = await api(method, url, body);
    if (r.status !== 202) { showProblem(form, alertBox, r); return; }
    track(r.json, opsBox, op => { if (op.state === 'FAILED') { alertBox.hidden = false; alertBox.textContent = `${op.action} failed: ${op.message}`; } });
  }

  document.getElementById('scale-form')?.addEventListener('submit', e => {
    e.preventDefault();
    act('POST', `${base}/scale`, { replicas: Number(document.getElementById('replicas-input').value) }, e.target);
  });
  document.getElementById('restart')?.addEventListener('click', () => act('POST', `${base}/restart`));
  const edit = document.getElementById('edit-form');
  document.getElementById('edit-toggle')?.addEventListener('click', e => {
    edit.hidden = !edit.hidden;
    e.target.setAttribute('aria-expanded', String(!edit.hidden));
    if (!edit.hidden) document.getElementById('spec-input').focus();
  });
  const editedSpec = () => {
    try { return JSON.parse(document.getElementById('spec-input').value); } catch (err) {
      showProblem(edit, alertBox, { status: 400, json: { title: 'Invalid JSON', detail: err.message, errors: [{ field: 'spec', message: 'is not valid JSON' }] } });
      return null;
    }
  };
  edit?.addEventListener('submit', e => {
    e.preventDefault();
    const spec = editedSpec();
    if (spec) act('PUT', `${base}/spec`, { spec }, edit);
  });
  // Before saving: what would change against the current spec, and whether the engine would take it
  document.getElementById('spec-preview')?.addEventListener('click', async () => {
    const spec = editedSpec();
    if (!spec) return;
    alertBox.hidden = true;
    const r = await api('PUT', `${base}/spec?dryRun=true`, { spec });
    if (!r.ok) { showProblem(edit, alertBox, r); return; }
    const v = r.json.engineValidation || {};
    document.getElementById('spec-validation').textContent = v.ok
      ? `${r.json.differences} change(s); the engine accepts them.`
      : `${r.json.differences} change(s); the engine refuses them: ${(v.errors || []).map(x => `${x.field}: ${x.message}`).join('; ') || v.message || ''}`;
    document.getElementById('spec-diff').replaceChildren(r.json.differences
      ? diffTable('spec-diff-table', ['now', 'edited'], r.json.fields.filter(f => !f.equal)) : '');
    document.getElementById('spec-preview-box').hidden = false;
  });
  const confirm = document.getElementById('delete-confirm');
  confirm?.addEventListener('input', () => { document.getElementById('delete').disabled = confirm.value !== name; });
  document.getElementById('delete-form')?.addEventListener('submit', e => {
    e.preventDefault();
    if (confirm.value === name) act('DELETE', base);
  });

  on('workload.updated', w => {
    if (w.id !== id) return;
    document.getElementById('phase').replaceChildren(badge('phase', w.status.phase));
    document.getElementById('phase-reason').textContent = w.status.message || '';
    document.getElementById('replicas').textContent = `${w.status.running}/${w.status.desired} running`;
    document.getElementById('status-phase').textContent = w.status.phase;
    document.getElementById('status-counts').textContent = `${w.status.desired} / ${w.status.running} / ${w.status.healthy}`;
    document.getElementById('status-message').textContent = w.status.message || '';
    document.getElementById('spec-image').textContent = w.spec.image ?? '';
    document.getElementById('spec-replicas').textContent = w.spec.replicas ?? 'one per node';
    document.getElementById('synced').textContent = w.syncedAt;
  });
  // Charts: replicas change with the workload (refetched on its updates), usage is sampled every period.
  const replicaChart = Charts.create(document.getElementById('replica-chart'), document.getElementById('replica-empty'),
    { n: Charts.count('instances') });
  const usageBox = document.getElementById('usage-chart');
  const usageChart = usageBox && Charts.create(usageBox, document.getElementById('usage-empty'), {
    cpu: { label: 'CPU (millicores)', format: v => v == null ? '' : `${Math.round(v)}m` },
    mem: { label: 'memory (MiB)', format: v => v == null ? '' : `${Math.round(v)} MiB` },
  });
  let nextHistory = null;
  async function history() {
    clearTimeout(nextHistory);
    const r = await api('GET', `${base}/history?since=PT6H`);
    if (!r.ok) return;
    let replicas = r.json.replicas;
    // the last state holds until now
    if (replicas.length) replicas = [...replicas, { ...replicas[replicas.length - 1], at: new Date().toISOString() }];
    replicaChart.show([replicas.map(p => Charts.seconds(p.at)), replicas.map(p => p.running), replicas.map(p => p.desired)],
      [{ label: 'running', color: '--ok', step: true }, { label: 'desired', color: '--muted', step: true, dash: [6, 4] }]);
    const usage = r.json.usage;
    usageChart?.show([usage.map(p => Charts.seconds(p.at)), usage.map(p => p.cpuMillis), usage.map(p => p.memoryBytes / 1048576)],
      [{ label: 'CPU', color: '--accent', scale: 'cpu' }, { label: 'memory', color: '--warn', scale: 'mem' }]);
    document.querySelectorAll('.sample-period').forEach(s => { s.textContent = r.json.samplePeriodSeconds; });
    nextHistory = setTimeout(history, r.json.samplePeriodSeconds * 1000);
  }
  let historySoon = null;
  on('workload.updated', w => {
    if (w.id !== id) return;
    clearTimeout(historySoon);
    historySoon = setTimeout(history, 300);
  });
  history();

  on('workload.deleted', w => {
    if (w.id === id) document.getElementById('phase').replaceChildren(el('span', { class: 'badge phase-UNKNOWN' }, 'DELETED'));
  });

  // Logs: the last lines, then optionally followed; Pause keeps the stream but stops appending.
  const logs = document.getElementById('logs');
  const instance = document.getElementById('log-instance');
  const follow = document.getElementById('log-follow');
  const pause = document.getElementById('log-pause');
  let stream = null;
  let lines = [];
  const MAX_LINES = 1000;
  const render = () => {
    const shown = instance.value ? lines.filter(l => l.instance === instance.value) : lines;
    logs.textContent = shown.map(l => `[${l.instance}] ${l.text}`).join('\n') || 'No log lines.';
    logs.scrollTop = logs.scrollHeight;
  };
  async function tail() {
    const r = await fetch(`${base}/logs?tail=200`);
    const text = await r.text();
    if (!r.ok) { logs.textContent = `Logs unavailable: ${(JSON.parse(text || '{}').detail) || r.status}`; return; }
    lines = text.split('\n').filter(Boolean).map(t => {
      const m = t.match(/^\[([^\]]*)\] (.*)$/);
      return m ? { instance: m[1], text: m[2] } : { instance: '', text: t };
    });
    render();
  }
  follow.addEventListener('click', () => {
    if (stream) {
      stream.close(); stream = null;
      follow.textContent = 'Follow'; follow.setAttribute('aria-pressed', 'false'); pause.disabled = true;
      return;
    }
    lines = [];
    stream = new EventSource(`${base}/logs?follow=true&tail=50`);
    stream.addEventListener('log', e => {
      const l = JSON.parse(e.data);
      lines.push({ instance: l.instance, text: l.text });
      if (lines.length > MAX_LINES) lines = lines.slice(-MAX_LINES);
      if (pause.getAttribute('aria-pressed') !== 'true') render();
    });
    follow.textContent = 'Stop following'; follow.setAttribute('aria-pressed', 'true'); pause.disabled = false;
  });
  pause.addEventListener('click', () => {
    const paused = pause.getAttribute('aria-pressed') !== 'true';
    pause.setAttribute('aria-pressed', String(paused));
    pause.textContent = paused ? 'Resume' : 'Pause';
    if (!paused) render();
  });
  instance.addEventListener('change', render);
  tail();

  api('GET', `${base}/events`).then(r => {
    const box = document.getElementById('events');
    const items = r.json?.items || [];
    if (!r.ok) { box.replaceChildren(el('p', { class: 'muted' }, `Events unavailable: ${r.json?.detail || r.status}`)); return; }
    if (!items.length) { box.replaceChildren(el('p', { class: 'muted' }, 'No events recorded for this workload.')); return; }
    box.replaceChildren(el('div', { class: 'table-wrap' }, el('table', {},
      el('thead', {}, el('tr', {}, ['Time', 'Type', 'Reason', 'Message'].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, items.map(ev => el('tr', {}, el('td', { title: ev.time }, ago(ev.time)), el('td', {}, badge('type', ev.type)),
        el('td', {}, ev.reason || ''), el('td', {}, ev.message || '')))))));
  });
  api('GET', `${base}/native`).then(r => {
    document.getElementById('native').textContent = r.ok ? JSON.stringify(r.json, null, 2) : `Unavailable: ${r.json?.detail || r.status}`;
  });
})();
