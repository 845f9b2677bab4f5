// The command palette (issue 20): Ctrl-K / Cmd-K or "/" opens it on every page; typing searches everything the
// user may see (GET /api/v1/search), arrows and Enter go there. On a workload's page it also offers
// "scale <name> to N" and "restart <name>" for operators, confirmed before the API is called. "?" lists the shortcuts.
'use strict';
(() => {
  // signed-out pages (the login form) have no navigation and nothing to search
  if (!document.querySelector('header.top nav')) return;
  const { api, el } = Gantry;
  const DEBOUNCE_MS = 150;
  const SHORTCUTS = [
    ['Ctrl K / ⌘ K', 'open the command palette, from anywhere'],
    ['/', 'open the command palette (not while typing in a field)'],
    ['↑ ↓', 'move through the results'],
    ['Enter', 'go to the result, or run the action'],
    ['Esc', 'close the palette or this list'],
    ['?', 'show these shortcuts (not while typing in a field)'],
  ];
  const body = document.body.dataset;
  const workload = body.page === 'workload' && body.id
    ? { id: body.id, name: body.name, operator: body.operator === 'true' } : null;

  const input = el('input', { id: 'palette-input', type: 'text', role: 'combobox', autocomplete: 'off',
    spellcheck: 'false', 'aria-expanded': 'false', 'aria-controls': 'palette-list', 'aria-autocomplete': 'list',
    // a name of its own: the pages' fields are found by their labels ("Engine", "Name"), in tests and by people
    'aria-label': 'Search everywhere',
    placeholder: workload?.operator ? `Search, or: scale ${workload.name} to 3, restart ${workload.name}` : 'Search workloads, engines, operations, pages…' });
  const list = el('ul', { id: 'palette-list', role: 'listbox', 'aria-label': 'Results' });
  const status = el('p', { id: 'palette-status', class: 'muted', role: 'status' });
  const palette = el('dialog', { id: 'palette', class: 'palette', 'aria-label': 'Command palette' }, input, list, status,
    el('p', { class: 'palette-hint muted' }, '↑↓ to move · Enter to go · Esc to close · ? for shortcuts'));
  const shortcuts = el('dialog', { id: 'shortcuts', class: 'palette', 'aria-labelledby': 'shortcuts-title' },
    el('h2', { id: 'shortcuts-title' }, 'Keyboard shortcuts'),
    el('table', {}, el('tbody', {}, SHORTCUTS.map(([keys, what]) =>
      el('tr', {}, el('th', { scope: 'row' }, el('kbd', {}, keys)), el('td', {}, what))))),
    el('form', { method: 'dialog' }, el('button', { type: 'submit' }, 'Close')));
  document.body.append(palette, shortcuts);
  document.getElementById('palette-open')?.addEventListener('click', () => open());

  let items = [];
  let active = -1;
  let timer = null;
  let asked = 0;

  function typing(target) {
    return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
  }

  function open() {
    if (shortcuts.open) shortcuts.close();
    if (!palette.open) palette.showModal();
    input.select();
    refresh();
  }

  function close() {
    if (palette.open) palette.close();
  }

  document.addEventListener('keydown', e => {
    // in a console, Ctrl-K is the shell's (kill to the end of the line)
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k' && !e.target.closest?.('.xterm')) {
      e.preventDefault();
      if (palette.open) close(); else open();
    } else if (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey && !typing(e.target) && !palette.open && !shortcuts.open) {
      e.preventDefault();
      open();
    } else if (e.key === '?' && !typing(e.target) && !palette.open && !shortcuts.open) {
      e.preventDefault();
      shortcuts.showModal();
    }
  });

  input.addEventListener('keydown', e => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (items.length) select((active + (e.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (active >= 0) choose(items[active]);
    }
  });
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, DEBOUNCE_MS);
  });
  palette.addEventListener('close', () => { clearTimeout(timer); asked++; });

  /** Actions on the workload this page shows, parsed from what was typed; only for operators. */
  function actions(text) {
    if (!workload?.operator) return [];
    const name = '(?:\\s+(\\S+))?';
    const scale = text.match(new RegExp(`^scale${name}\\s+to\\s+(\\d{1,5})$`, 'i'));
    if (scale && (!scale[1] || scale[1] === workload.name)) {
      const replicas = Number(scale[2]);
      return [{ type: 'action', title: `Scale ${workload.name} to ${replicas}`, subtitle: 'Action on this workload',
        confirm: `Scale ${workload.name} to ${replicas} replicas?`,
        run: () => api('POST', `/api/v1/workloads/${workload.id}/scale`, { replicas }) }];
    }
    const restart = text.match(new RegExp(`^restart${name}$`, 'i'));
    if (restart && (!restart[1] || restart[1] === workload.name)) {
      return [{ type: 'action', title: `Restart ${workload.name}`, subtitle: 'Action on this workload',
        confirm: `Restart every instance of ${workload.name}?`,
        run: () => api('POST', `/api/v1/workloads/${workload.id}/restart`) }];
    }
    return [];
  }

  async function refresh() {
    const text = input.value.trim();
    const mine = ++asked;
    const own = actions(text);
    if (!text) { show([], ''); return; }
    const r = await api('GET', `/api/v1/search?q=${encodeURIComponent(text)}&limit=20`);
    if (mine !== asked) return; // a newer keystroke's answer wins
    if (!r.ok) { show(own, r.json?.detail || `Search failed: HTTP ${r.status}`); return; }
    const found = own.concat(r.json.items);
    show(found, found.length ? `${found.length} result${found.length === 1 ? '' : 's'}` : `Nothing matches “${text}”`);
  }

  function show(found, message) {
    items = found;
    status.textContent = message;
    list.replaceChildren(...found.map((item, i) => {
      const option = el('li', { id: `palette-option-${i}`, role: 'option', 'aria-selected': 'false',
        'data-type': item.type, 'data-url': item.url || null },
      el('span', { class: `palette-type type-${item.type}` }, item.type),
      el('span', { class: 'palette-title' }, item.title),
      el('span', { class: 'palette-subtitle muted' }, item.subtitle || ''));
      option.addEventListener('mousemove', () => { if (active !== i) select(i); });
      option.addEventListener('click', () => choose(item));
      return option;
    }));
    input.setAttribute('aria-expanded', String(found.length > 0));
    active = -1;
    if (found.length) select(0); else input.removeAttribute('aria-activedescendant');
  }

  function select(i) {
    list.children[active]?.setAttribute('aria-selected', 'false');
    active = i;
    const option = list.children[i];
    option.setAttribute('aria-selected', 'true');
    input.setAttribute('aria-activedescendant', option.id);
    option.scrollIntoView({ block: 'nearest' });
  }

  async function choose(item) {
    if (item.type !== 'action') {
      location.href = item.url;
      return;
    }
    if (!confirm(item.confirm)) return;
    status.textContent = `${item.title}…`;
    const r = await item.run();
    if (r.ok) {
      status.textContent = `${item.title}: accepted (operation ${r.json?.id?.slice(0, 8) || ''})`;
      setTimeout(close, 800);
    } else {
      status.textContent = r.json?.detail || `Refused: HTTP ${r.status}`;
    }
  }
})();
