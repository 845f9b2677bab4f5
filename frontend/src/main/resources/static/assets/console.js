// The console page: a terminal (xterm.js) on the console WebSocket of one instance. Keystrokes go out as binary
// frames, the command's output comes back as binary frames; text frames are control messages ({"resize"} out,
// {"exit"}, {"error"} or {"notice"} in). The terminal follows the window's size; Reconnect opens a new session.
'use strict';
(() => {
  const { api } = Gantry;
  const { id, instance } = document.body.dataset;
  const status = document.getElementById('console-status');
  const exitBadge = document.getElementById('console-exit');
  const terminalBox = document.getElementById('terminal');
  const encoder = new TextEncoder();

  const term = new Terminal({
    cursorBlink: true,
    scrollback: 5000,
    fontSize: 13,
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
  });
  const fit = new FitAddon.FitAddon();
  term.loadAddon(fit);
  term.open(terminalBox);
  fit.fit();

  let socket = null;

  function setStatus(state, text) {
    status.dataset.state = state;
    status.textContent = text;
  }

  function send(data) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(data);
  }

  function consoleUrl() {
    const url = new URL(`/api/v1/workloads/${id}/instances/${encodeURIComponent(instance)}/exec`, location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    // a page opened with ?command=...&command=... runs that argv; without, the server starts a shell
    new URLSearchParams(location.search).getAll('command').forEach(c => url.searchParams.append('command', c));
    url.searchParams.set('tty', 'true');
    url.searchParams.set('cols', term.cols);
    url.searchParams.set('rows', term.rows);
    return url;
  }

  function connect() {
    if (socket) {
      const old = socket;
      socket = null;
      old.close(1000, 'reconnect');
    }
    term.reset();
    exitBadge.hidden = true;
    fit.fit();
    setStatus('connecting', 'Connecting…');
    const ws = new WebSocket(consoleUrl());
    ws.binaryType = 'arraybuffer';
    socket = ws;
    let opened = false;
    let ended = false;
    ws.onopen = () => {
      if (socket !== ws) return;
      opened = true;
      setStatus('connected', 'Connected');
      term.focus();
    };
    ws.onmessage = e => {
      if (socket !== ws) return;
      if (typeof e.data !== 'string') {
        term.write(new Uint8Array(e.data));
        return;
      }
      let message;
      try { message = JSON.parse(e.data); } catch (err) { return; }
      if (message.exit !== undefined) {
        ended = true;
        showExit(message.exit);
      } else if (message.error) {
        ended = true;
        const { title, detail, exitCode } = message.error;
        setStatus('error', [title, detail].filter(Boolean).join(': '));
        if (exitCode !== undefined && exitCode !== null) showExitBadge(exitCode);
        term.write(`\r\n\x1b[31m[${title || 'ended'}]\x1b[0m\r\n`);
      } else if (message.notice) {
        term.write(`\r\n\x1b[33m[${message.notice}]\x1b[0m\r\n`);
      }
    };
    ws.onclose = e => {
      if (socket !== ws) return;
      socket = null;
      if (ended) return;
      if (!opened) explainRefusal();
      else setStatus('closed', `Disconnected (${e.code}${e.reason ? `: ${e.reason}` : ''})`);
    };
  }

  function showExitBadge(code) {
    exitBadge.textContent = `exit ${code}`;
    exitBadge.dataset.code = code;
    exitBadge.classList.toggle('state-FAILED', code !== 0);
    exitBadge.classList.toggle('state-SUCCEEDED', code === 0);
    exitBadge.hidden = false;
  }

  function showExit(code) {
    setStatus('exited', `Exited with code ${code}`);
    showExitBadge(code);
    term.write(`\r\n\x1b[2m[process exited with code ${code}]\x1b[0m\r\n`);
  }

  // A refused upgrade reaches a browser's WebSocket as a bare close (its HTTP status and problem body stay hidden),
  // so the page asks the API what it can see for itself.
  async function explainRefusal() {
    setStatus('error', 'Could not open the console');
    const why = await refusalReason();
    setStatus('error', `Could not open the console: ${why || 'the server refused it (too many open consoles of yours, '
      + 'or the engine could not start the command)'}`);
  }

  async function refusalReason() {
    const w = await api('GET', `/api/v1/workloads/${id}`);
    if (w.status === 401) return 'you are signed out';
    if (w.status === 404) return 'the workload does not exist (any more)';
    if (!w.ok) return null;
    const found = (w.json.instances || []).find(i => i.id === instance);
    if (!found) return `instance ${instance} does not exist (any more)`;
    if (found.state !== 'RUNNING') return `instance ${instance} is ${String(found.state).toLowerCase()}`;
    const me = await api('GET', '/api/v1/auth/me');
    if (me.ok && me.json.role === 'VIEWER') return 'a console takes the OPERATOR role';
    const engine = await api('GET', `/api/v1/engines/${w.json.engine.id}`);
    if (!engine.ok) return null;
    if (!(engine.json.capabilities || []).includes('exec')) {
      return `engine ${engine.json.name} cannot run commands in its instances`;
    }
    const runtime = (engine.json.runtimes || []).find(r => r.name === w.json.spec.runtime);
    if (runtime && !runtime.allowed) return `runtime ${runtime.name} runs host processes: only an ADMIN may open a console there`;
    return null;
  }

  term.onData(data => send(encoder.encode(data)));
  // some mouse reports are raw bytes rather than text
  term.onBinary(data => send(Uint8Array.from(data, c => c.charCodeAt(0) & 0xff)));
  term.onResize(({ cols, rows }) => send(JSON.stringify({ resize: { cols, rows } })));

  // Ctrl+C is the shell's interrupt, so copying is Ctrl+Shift+C (Cmd+Shift+C), as in terminal emulators; the
  // browser's own copy (Cmd+C, the context menu) works on the selection too. Pasting is the browser's paste
  // (Ctrl+Shift+V, Cmd+V), which the terminal reads from its paste event.
  term.attachCustomKeyEventHandler(e => {
    const combo = (e.ctrlKey || e.metaKey) && e.shiftKey;
    if (!combo || (e.code !== 'KeyC' && e.code !== 'KeyV')) return true;
    if (e.type === 'keydown' && e.code === 'KeyC') {
      e.preventDefault();
      copySelection();
    }
    return false;
  });

  function copySelection() {
    const text = term.getSelection();
    if (!text) return;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).catch(() => document.execCommand('copy'));
    } else {
      // the terminal answers the copy event with its selection
      document.execCommand('copy');
    }
  }

  let fitting = 0;
  new ResizeObserver(() => {
    cancelAnimationFrame(fitting);
    fitting = requestAnimationFrame(() => fit.fit());
  }).observe(terminalBox);

  document.getElementById('console-reconnect').addEventListener('click', connect);

  api('GET', `/api/v1/workloads/${id}`).then(r => {
    if (!r.ok) return;
    document.getElementById('console-workload').textContent = r.json.name;
    document.title = `Console ${r.json.name} / ${instance} · Gantry`;
  });
  connect();
})();
