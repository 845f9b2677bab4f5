// Deploy: builds the normalized spec from the form (or sends a native manifest) and follows the operation.
'use strict';
(() => {
  const { api, el, showProblem, track, tabs } = Gantry;
  const $ = id => document.getElementById(id);
  const alertBox = $('deploy-error');
  const form = $('deploy-form');
  const importForm = $('import-form');

  tabs();

  const words = v => v.trim() ? v.trim().split(/\s+/) : [];
  const pairs = v => Object.fromEntries(v.split('\n').map(l => l.trim()).filter(Boolean).map(l => {
    const i = l.indexOf('=');
    return i < 0 ? [l, ''] : [l.slice(0, i), l.slice(i + 1)];
  }));
  const num = v => v === '' ? null : Number(v);
  const ports = v => v.split('\n').map(l => l.trim()).filter(Boolean).map(l => {
    const m = l.match(/^(\d+)(?::(\d+))?(?:\/(\w+))?$/);
    return m ? { containerPort: Number(m[1]), publishedPort: m[2] ? Number(m[2]) : null, protocol: m[3] || 'tcp' }
             : { containerPort: l };
  });

  function spec() {
    const memory = num($('d-memory').value);
    const health = $('d-health-type').value;
    return {
      image: $('d-image').value.trim() || null,
      command: words($('d-command').value), args: words($('d-args').value),
      env: pairs($('d-env').value), ports: ports($('d-ports').value),
      resources: { cpuMillis: num($('d-cpu').value), memoryBytes: memory === null ? null : memory * 1048576 },
      replicas: num($('d-replicas').value),
      healthCheck: health ? { type: health, path: $('d-health-path').value || null, port: num($('d-health-port').value) } : null,
      runtime: $('d-runtime').value || null,
      secrets: refs,
    };
  }

  // References to the engine's secrets and configs in the chosen namespace (GET /api/v1/configs): picked by name,
  // one key to an env variable or a file, or all keys under a directory.
  const refs = [];
  let objects = [];
  let asked = 0;
  async function loadObjects() {
    // only the latest question's answer is shown: an earlier one (another engine) may answer last
    const mine = ++asked;
    let found = [];
    if ($('d-engine').value) {
      const q = new URLSearchParams({ engine: $('d-engine').value, namespace: $('d-namespace').value.trim() });
      const r = await api('GET', `/api/v1/configs?${q}`);
      found = (r.ok && r.json.items) || [];
    }
    if (mine !== asked) return;
    // a later answer keeps what the user already picked, where the new list still has it
    const before = objects[$('d-ref-source').value];
    const key = $('d-ref-key').value;
    objects = found;
    $('d-ref-source').replaceChildren(...objects.map((o, i) => el('option', { value: i }, `${o.kind.toLowerCase()} ${o.name}`)));
    const same = before ? objects.findIndex(o => o.name === before.name && o.kind === before.kind) : -1;
    if (same >= 0) $('d-ref-source').value = String(same);
    showKeys(same >= 0 ? key : '');
  }
  function showKeys(keep = '') {
    const o = objects[$('d-ref-source').value];
    $('d-ref-key').replaceChildren(el('option', { value: '' }, 'all keys (a directory)'),
      ...(o ? o.keys : []).map(k => el('option', { value: k }, k)));
    if (keep && o && o.keys.includes(keep)) $('d-ref-key').value = keep;
  }
  function showRefs() {
    $('d-refs').replaceChildren(...refs.map((r, i) => {
      const remove = el('button', { type: 'button' }, 'Remove');
      remove.addEventListener('click', () => { refs.splice(i, 1); showRefs(); });
      return el('li', { class: 'mono' }, `${r.kind.toLowerCase()} ${r.source}${r.key ? `[${r.key}]` : ''} → ${r.env ? `env ${r.env}` : r.path} `, remove);
    }));
  }
  $('d-ref-source').addEventListener('change', () => showKeys());
  $('d-namespace').addEventListener('change', loadObjects);
  $('d-ref-add').addEventListener('click', () => {
    const o = objects[$('d-ref-source').value];
    const target = $('d-ref-target').value.trim();
    if (!o || !target) return;
    const key = $('d-ref-key').value || null;
    refs.push(target.startsWith('/') ? { source: o.name, kind: o.kind, key, path: target }
      : { source: o.name, kind: o.kind, key, env: target });
    $('d-ref-target').value = '';
    showRefs();
  });

  // The engine says which runtimes it offers and which of them this user may choose (a privileged one, the
  // agent's raw host processes, takes an ADMIN); engines without a choice hide the field.
  async function showRuntimes() {
    const select = $('d-runtime');
    select.replaceChildren(el('option', { value: '' }, 'Engine default'));
    $('d-runtime-field').hidden = true;
    $('d-runtime-note').textContent = '';
    if (!$('d-engine').value) return;
    const r = await api('GET', `/api/v1/engines/${encodeURIComponent($('d-engine').value)}`);
    const runtimes = (r.ok && r.json && r.json.runtimes) || [];
    if (!runtimes.length) return;
    runtimes.forEach(rt => {
      const option = el('option', { value: rt.name }, rt.name + (rt.privileged
        ? (rt.allowed ? ' (host process)' : ' (host process: ADMIN only)') : ' (isolated)'));
      option.disabled = !rt.allowed;
      select.append(option);
    });
    if (runtimes.some(rt => !rt.allowed)) {
      $('d-runtime-note').textContent = 'Runtimes that run host processes need an ADMIN; '
        + 'choose an isolated one (with an image imported on the engine).';
    }
    $('d-runtime-field').hidden = false;
  }
  $('d-engine').addEventListener('change', () => { showRuntimes(); loadObjects(); });
  showRuntimes();
  loadObjects();

  function follow(r, which) {
    if (r.status !== 202) { showProblem(which, alertBox, r); return; }
    alertBox.hidden = true;
    which.querySelectorAll('.field-error').forEach(e => e.remove());
    track(r.json, $('operations'), op => {
      if (op.state === 'SUCCEEDED' && op.workloadId) {
        $('operations').prepend(el('p', {}, 'Deployed: ', el('a', { href: `/workloads/${op.workloadId}`, id: 'deployed-link' }, 'open the workload')));
      } else if (op.state === 'FAILED') {
        alertBox.hidden = false; alertBox.textContent = `Deploy failed: ${op.message}`;
      }
    });
  }

  form.addEventListener('submit', async e => {
    e.preventDefault();
    const body = { engine: $('d-engine').value, namespace: $('d-namespace').value.trim() || null,
      name: $('d-name').value.trim(), kind: $('d-kind').value, labels: pairs($('d-labels').value), spec: spec() };
    follow(await api('POST', '/api/v1/workloads', body), form);
  });
  $('i-file').addEventListener('change', async e => {
    const file = e.target.files[0];
    if (file) $('i-manifest').value = await file.text();
  });
  importForm.addEventListener('submit', async e => {
    e.preventDefault();
    follow(await api('POST', '/api/v1/workloads/import',
      { engine: $('i-engine').value, format: $('i-format').value, manifest: $('i-manifest').value }), importForm);
  });
})();
