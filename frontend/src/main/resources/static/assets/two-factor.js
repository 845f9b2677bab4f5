// Two-factor sign-in on the account page: enrol (QR code, secret, recovery codes shown once), confirm with a code,
// turn it off with a code. Every step is a call to /api/v1/auth/totp.
'use strict';
(() => {
  const { api, el, showProblem } = Gantry;
  const $ = id => document.getElementById(id);
  const form = $('totp-form');
  let mode = 'confirm';
  function ask(next, label, button) {
    mode = next;
    $('totp-code-label').textContent = label;
    $('totp-submit').textContent = button;
    $('totp-code').value = '';
    form.hidden = false;
  }
  async function load() {
    const status = (await api('GET', '/api/v1/auth/totp')).json;
    if (!status) return;
    $('totp-enrolment').hidden = true;
    $('totp-enrol').hidden = status.enabled;
    form.hidden = !status.enabled;
    if (status.enabled) {
      $('totp-state').textContent = `On since ${new Date(status.enabledAt).toLocaleString()}: sign-in asks for a code. `
        + `${status.recoveryCodesLeft} recovery code(s) left.`;
      ask('disable', 'A current code or a recovery code, to turn it off', 'Turn off');
    } else {
      $('totp-state').textContent = status.required
        ? 'Off, but required here: set up an authenticator to go on using Gantry.'
        : 'Off: sign-in asks for your password only.';
    }
  }
  $('totp-enrol').addEventListener('click', async () => {
    const r = await api('POST', '/api/v1/auth/totp');
    if (!r.ok) { showProblem(null, $('totp-error'), r); return; }
    $('totp-error').hidden = true;
    $('totp-qr').src = r.json.qrCode;
    $('totp-secret').textContent = r.json.secret;
    $('totp-recovery').replaceChildren(...r.json.recoveryCodes.map(c => el('li', {}, el('code', {}, c))));
    $('totp-enrolment').hidden = false;
    $('totp-enrol').hidden = true;
    ask('confirm', 'Code from the app', 'Confirm');
    $('totp-code').focus();
  });
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const body = { code: $('totp-code').value.trim() };
    const r = mode === 'confirm' ? await api('POST', '/api/v1/auth/totp/confirm', body) : await api('DELETE', '/api/v1/auth/totp', body);
    if (!r.ok) { showProblem(form, $('totp-error'), r); return; }
    $('totp-error').hidden = true;
    showProblem(form, null, { json: {} });
    load();
  });
  load();
})();
