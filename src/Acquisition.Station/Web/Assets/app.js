'use strict';
// The technician page: vanilla JS, no build step. Every visible string comes from /api/tech/strings/<lang>.
(() => {
  const api = '/api/tech';
  let lang = localStorage.getItem('acq-lang') || ((navigator.language || 'en').startsWith('es') ? 'es' : 'en');
  let t = {};
  let signedIn = false;
  const $ = (id) => document.getElementById(id);
  // Not form.elements[name]: 'item' there is the collection's item() method, not the Item field.
  const field = (form, name) => form.querySelector(`[name="${name}"]`);
  const fmt = (key, ...args) => (t[key] || key).replace(/\{(\d+)\}/g, (_, i) => args[+i]);
  const dateTime = (iso) => new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
  const timeOnly = (iso) => new Intl.DateTimeFormat(lang, { timeStyle: 'short' }).format(new Date(iso));
  const num = (n, digits = 1) => new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(n);

  async function call(method, path, body) {
    const res = await fetch(`${api}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`, {
      method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
      credentials: 'same-origin',
    });
    let data = null;
    try { data = await res.json(); } catch { data = null; }
    return { ok: res.ok, status: res.status, data };
  }

  async function loadStrings() {
    const res = await fetch(`${api}/strings/${lang}`);
    t = await res.json();
    document.documentElement.lang = lang;
    $('lang').value = lang;
    document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = fmt(el.dataset.i18n); });
    $('progress').setAttribute('aria-label', fmt('capture.title'));
    $('live').alt = fmt('live.title');
  }

  function show(isSignedIn, me) {
    signedIn = isSignedIn;
    $('signin-view').hidden = isSignedIn;
    $('work-view').hidden = !isSignedIn;
    $('signout').hidden = !isSignedIn;
    $('who').hidden = !isSignedIn;
    if (me) { $('who-name').textContent = `${me.name} (${me.id})`; }
  }

  async function afterSignIn(me) {
    show(true, me);
    const cal = await call('GET', '/calibres');
    if (cal.ok) {
      $('calibres').replaceChildren(...cal.data.flatMap((c) => [c.name, ...c.aliases].map((n) => Object.assign(document.createElement('option'), { value: n }))));
    }
    const current = await call('GET', '/case');
    if (current.ok && current.data) { fillCase(current.data); }
    refresh();
  }

  function fillCase(c) {
    const f = $('case-form');
    for (const k of ['agency', 'caseNumber', 'exhibit', 'item', 'calibre', 'recoveryLocation']) { field(f, k).value = c[k] || ''; }
    field(f, 'recoveryDate').value = c.recoveryDate || '';
    const p = c.searchProtocol || {};
    for (const k of ['recoveredNearBorder', 'recoveredByCustomsOrBorder', 'fromSuspectedTrafficker', 'terrorismRelated', 'fromForeignResident']) { field(f, k).checked = !!p[k]; }
  }

  $('signin-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = await call('POST', '/signin', { id: $('op-id').value, pin: $('op-pin').value });
    $('op-pin').value = '';
    if (!r.ok) { $('signin-error').textContent = (r.data && r.data.error) || fmt('signin.failed'); return; }
    $('signin-error').textContent = '';
    afterSignIn(r.data);
  });

  $('signout').addEventListener('click', async () => { await call('POST', '/signout'); show(false); });

  $('lang').addEventListener('change', async () => {
    lang = $('lang').value;
    localStorage.setItem('acq-lang', lang);
    await loadStrings();
    if (signedIn) { refresh(); }
  });

  $('case-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target;
    const body = {};
    for (const el of f.elements) {
      if (!el.name) continue;
      body[el.name] = el.type === 'checkbox' ? el.checked : el.value;
    }
    const r = await call('PUT', '/case', body);
    for (const el of f.querySelectorAll('input')) { el.removeAttribute('aria-invalid'); }
    f.querySelectorAll('.error').forEach((p) => { p.textContent = ''; });
    $('case-ok').textContent = '';
    if (r.ok) { fillCase(r.data); $('case-ok').textContent = fmt('case.saved'); return; }
    const errors = (r.data && r.data.errors) || { form: `HTTP ${r.status}` };
    let first = null;
    for (const [name, message] of Object.entries(errors)) {
      const p = $(`e-${name}`) || $('e-form');
      p.textContent = message;
      const input = field(f, name);
      if (input) { input.setAttribute('aria-invalid', 'true'); first = first || input; }
    }
    if (first) first.focus();
  });

  $('capture').addEventListener('click', async () => {
    const r = await call('POST', '/capture');
    if (!r.ok) { $('capture-msg').textContent = (r.data && r.data.error) || `HTTP ${r.status}`; }
    refresh();
  });
  $('abort').addEventListener('click', async () => { await call('POST', '/abort'); refresh(); });

  function renderStatus(s) {
    $('st-state').textContent = fmt(`state.${s.state}`);
    $('st-door').textContent = fmt(`status.door.${s.door}`);
    const cal = $('st-cal');
    cal.className = '';
    if (!s.calibrations.length) { cal.textContent = fmt('status.calibration.none'); }
    else {
      const worst = s.calibrations.find((c) => c.status === 'expired') || s.calibrations.find((c) => c.status === 'expiring');
      cal.textContent = s.calibrations.map((c) => `${c.kind}: ${fmt(`status.calibration.${c.status}`, dateTime(c.validUntil))}`).join(' · ');
      if (worst) cal.className = worst.status === 'expired' ? 'bad' : 'warn';
    }
    $('st-outbox').textContent = s.outboxBacklog === null ? fmt('status.outbox.unavailable') : fmt('status.outbox.backlog', num(s.outboxBacklog, 0));
    const p = s.progress;
    $('capture').disabled = !s.captureAvailable || p.phase === 'running';
    $('abort').disabled = p.phase !== 'running';
    $('progress').value = p.fraction || 0;
    let msg;
    if (!s.captureAvailable) msg = fmt('capture.unavailable');
    else if (p.phase === 'running') {
      msg = fmt('capture.progress', p.region || '', p.lighting || '');
      if (p.remaining) { const [h, m, sec] = p.remaining.split(':').map(Number); msg += ' — ' + fmt('capture.eta', num(h * 3600 + m * 60 + sec, 0)); }
    } else if (p.phase === 'aborted') msg = fmt('capture.aborted', p.reason || '');
    else if (p.phase === 'failed') msg = fmt('capture.failed', p.reason || '');
    else if (p.phase === 'done') msg = fmt('capture.done');
    else msg = fmt('capture.idle');
    $('capture-msg').textContent = msg;
    const live = $('live');
    if (!s.liveView) { live.hidden = true; $('live-msg').textContent = fmt('live.unavailable'); }
    else if (s.state === 'Capturing') { live.hidden = true; live.removeAttribute('src'); $('live-msg').textContent = fmt('live.paused'); }
    else { if (!live.getAttribute('src')) live.src = `${api}/live`; live.hidden = false; $('live-msg').textContent = ''; }
  }

  function renderCaptures(list) {
    const tbody = $('history').querySelector('tbody');
    tbody.replaceChildren(...list.map((c) => {
      const tr = document.createElement('tr');
      for (const v of [timeOnly(c.startedAt), c.caseNumber, c.outcome, c.uploadState ? fmt(`upload.${c.uploadState}`) : fmt('upload.none')]) {
        tr.appendChild(Object.assign(document.createElement('td'), { textContent: v }));
      }
      return tr;
    }));
    const results = $('results');
    if (!list.length) { results.textContent = fmt('results.none'); return; }
    const c = list[0];
    results.replaceChildren(...c.regions.map((r) => {
      const div = document.createElement('div');
      div.className = 'region';
      if (r.fusedImageUrl) div.appendChild(Object.assign(document.createElement('img'), { src: r.fusedImageUrl, alt: r.region }));
      if (r.heightMapUrl) div.appendChild(Object.assign(document.createElement('img'), { src: r.heightMapUrl, alt: `${r.region} ${fmt('results.heightScale')}` }));
      const text = document.createElement('div');
      text.innerHTML = '';
      text.append(Object.assign(document.createElement('b'), { textContent: r.region }), document.createElement('br'),
        (r.qcPassed ? fmt('results.qcPass') : fmt('results.qcFail')) + (r.qcReasons.length ? `: ${r.qcReasons.join('; ')}` : ''),
        document.createElement('br'), `${fmt('results.heightScale')}: ${num(r.heightMinMicrometres)} – ${num(r.heightMaxMicrometres)}`,
        Object.assign(document.createElement('div'), { className: 'scale' }),
        `${fmt('results.upload')}: ${c.uploadState ? fmt(`upload.${c.uploadState}`) : fmt('upload.none')}${c.uploadReason ? ` (${c.uploadReason})` : ''}`);
      div.appendChild(text);
      return div;
    }));
  }

  let timer = null;
  async function refresh() {
    clearTimeout(timer);
    if (!signedIn) return;
    const s = await call('GET', '/status');
    if (s.status === 401) { show(false); return; }
    if (s.ok) renderStatus(s.data);
    const caps = await call('GET', '/captures');
    if (caps.ok) renderCaptures(caps.data);
    document.body.dataset.refreshed = String((+document.body.dataset.refreshed || 0) + 1);
    timer = setTimeout(refresh, s.ok && s.data.progress.phase === 'running' ? 500 : 2000);
  }

  (async () => {
    await loadStrings();
    const me = await call('GET', '/me');
    if (me.ok) await afterSignIn(me.data); else show(false);
    document.body.dataset.ready = 'true';
  })();
})();
