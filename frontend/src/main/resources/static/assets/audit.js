// The audit page: exec sessions newest first, a page at a time (the API's `nextCursor` is the following page's `cursor`),
// and the replay of a recorded console.
'use strict';
(() => {
  const { api, el, ago } = Gantry;
  const tbody = document.querySelector('#sessions tbody');
  const more = document.getElementById('sessions-more');
  const alertBox = document.getElementById('audit-error');
  const replayBox = document.getElementById('replay');
  const playButton = document.getElementById('replay-play');
  const stateBox = document.getElementById('replay-state');
  const speed = document.getElementById('replay-speed');
  // ?limit= in the page's address sets the page size (the API's bound, 1 to 500, applies)
  const pageSize = Number(new URLSearchParams(location.search).get('limit')) || 50;
  let next = null; // the following page's query parameter: {name, value}
  let current = null;
  let first = true;

  const when = iso => iso ? el('span', { title: iso }, ago(iso)) : el('span', { class: 'muted' }, 'open');
  const bytes = n => n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`;

  function row(s) {
    const replay = s.recorded
      ? el('button', { type: 'button', class: 'replay', 'aria-label': `Replay session ${s.id}` }, 'Replay')
      : el('span', { class: 'muted', title: s.mode === 'console' ? 'not recorded (gantry.exec.record was off, or it is still open)'
        : 'commands are not recorded' }, '–');
    if (s.recorded) replay.addEventListener('click', () => openReplay(s));
    return el('tr', { 'data-session': s.id, 'data-recorded': String(s.recorded) },
      el('td', {}, when(s.startedAt)),
      el('td', {}, s.username),
      el('td', {}, s.mode),
      el('td', {}, s.workloadId ? el('a', { href: `/workloads/${s.workloadId}` }, s.workloadName) : s.workloadName,
        el('div', { class: 'muted' }, s.engine)),
      el('td', { class: 'mono' }, s.instance),
      el('td', { class: 'mono wrap' }, (s.command || []).join(' ')),
      el('td', {}, s.endedAt ? when(s.endedAt) : el('span', { class: 'muted' }, 'open')),
      el('td', { class: 'num exit' }, s.exitCode === null || s.exitCode === undefined ? '–' : String(s.exitCode)),
      el('td', { class: 'num' }, `${bytes(s.bytesIn)} / ${bytes(s.bytesOut)}`),
      el('td', { class: 'end-reason' }, s.endReason || ''),
      el('td', { class: 'mono' }, s.remoteAddress || ''),
      el('td', {}, replay));
  }

  async function load() {
    alertBox.hidden = true;
    const url = `/api/v1/audit/sessions?limit=${pageSize}${next ? `&${next.name}=${encodeURIComponent(next.value)}` : ''}`;
    const r = await api('GET', url);
    if (!r.ok) {
      alertBox.hidden = false;
      alertBox.textContent = [r.json?.title || `HTTP ${r.status}`, r.json?.detail].filter(Boolean).join(' — ');
      return;
    }
    if (first) tbody.replaceChildren();
    first = false;
    tbody.append(...r.json.items.map(row));
    if (!tbody.children.length) tbody.append(el('tr', {}, el('td', { colspan: 12, class: 'muted' }, 'No sessions yet.')));
    // {items, total, nextCursor} as every /api list; `next`, passed back as `before`, is this list's first version
    // (before it took the common envelope): read too, so that the page pages against either
    next = r.json.nextCursor ? { name: 'cursor', value: r.json.nextCursor }
      : r.json.next ? { name: 'before', value: r.json.next } : null;
    more.hidden = !next;
  }
  more.addEventListener('click', load);

  function showState({ state, at, duration }) {
    stateBox.dataset.state = state;
    stateBox.textContent = `${state} ${at.toFixed(1)} s of ${duration.toFixed(1)} s`;
    const playing = state === 'playing';
    playButton.textContent = playing ? 'Pause' : 'Play';
    playButton.setAttribute('aria-pressed', String(playing));
  }

  async function openReplay(s) {
    closeReplay();
    alertBox.hidden = true;
    const r = await fetch(`/api/v1/audit/sessions/${s.id}/recording`);
    const text = await r.text();
    if (!r.ok) {
      let problem = {};
      try { problem = JSON.parse(text); } catch (e) { problem = {}; }
      alertBox.hidden = false;
      alertBox.textContent = [problem.title || `HTTP ${r.status}`, problem.detail].filter(Boolean).join(' — ');
      return;
    }
    let cast;
    try { cast = Replay.parse(text); } catch (e) {
      alertBox.hidden = false;
      alertBox.textContent = `The recording cannot be read: ${e.message}`;
      return;
    }
    document.getElementById('replay-title').textContent =
      `Replay: ${s.username} in ${s.workloadName} / ${s.instance}, ${(s.command || []).join(' ')}`;
    replayBox.hidden = false;
    current = Replay.player(document.getElementById('replay-terminal'), cast, showState);
    current.speed(Number(speed.value));
    current.play();
    replayBox.scrollIntoView({ block: 'nearest' });
  }

  function closeReplay() {
    current?.dispose();
    current = null;
    document.getElementById('replay-terminal').replaceChildren();
    replayBox.hidden = true;
  }

  playButton.addEventListener('click', () => current && (current.playing() ? current.pause() : current.play()));
  document.getElementById('replay-restart').addEventListener('click', () => current?.restart());
  document.getElementById('replay-close').addEventListener('click', closeReplay);
  speed.addEventListener('change', () => current?.speed(Number(speed.value)));
  load();
})();
