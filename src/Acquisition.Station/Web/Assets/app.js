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

  // A poll that gets no answer at all (a wedged station, a half-open connection) would otherwise wait for the
  // browser's own limit, minutes, with the page frozen on the last state it saw.
  const pollTimeoutMs = 10000;

  async function call(method, path, body, timeoutMs) {
    const res = await fetch(`${api}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`, {
      method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
      credentials: 'same-origin', signal: timeoutMs && typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(timeoutMs) : undefined,
    });
    let data = null;
    // An empty or non-JSON body is no data; a body that stalls until the timeout is a failed call.
    try { data = await res.json(); } catch (e) { if (e.name === 'TimeoutError' || e.name === 'AbortError') throw e; data = null; }
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
    if (!r.ok) {
      $('signin-error').textContent = r.data && r.data.lockedUntil ? fmt('signin.locked', dateTime(r.data.lockedUntil))
        : (r.data && r.data.error) || fmt('signin.failed');
      return;
    }
    $('signin-error').textContent = '';
    afterSignIn(r.data);
  });

  $('signout').addEventListener('click', async () => { await call('POST', '/signout'); unlisten(); show(false); });

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
    $('capture').disabled = true;
    const r = await call('POST', '/capture');
    if (!r.ok) { $('capture-msg').textContent = (r.data && r.data.error) || `HTTP ${r.status}`; $('capture').disabled = false; return; }
    refresh();
  });
  $('abort').addEventListener('click', async () => { await call('POST', '/abort'); refresh(); });

  let captureAvailable = false;
  let progress = { phase: 'idle', regions: [] };

  function renderStatus(s) {
    $('st-state').textContent = fmt(`state.${s.state}`);
    $('st-door').textContent = fmt(`status.door.${s.door}`);
    document.body.dataset.door = s.door;
    const cal = $('st-cal');
    cal.className = '';
    if (!s.calibrations.length) { cal.textContent = fmt('status.calibration.none'); }
    else {
      const worst = s.calibrations.find((c) => c.status === 'expired') || s.calibrations.find((c) => c.status === 'expiring');
      cal.textContent = s.calibrations.map((c) => `${c.kind}: ${fmt(`status.calibration.${c.status}`, dateTime(c.validUntil))}`).join(' · ');
      if (worst) cal.className = worst.status === 'expired' ? 'bad' : 'warn';
    }
    $('st-outbox').textContent = s.outboxBacklog === null ? fmt('status.outbox.unavailable') : fmt('status.outbox.backlog', num(s.outboxBacklog, 0));
    captureAvailable = s.captureAvailable;
    renderProgress(s.progress);
    const live = $('live');
    if (!s.liveView) { live.hidden = true; $('live-msg').textContent = fmt('live.unavailable'); }
    else if (s.state === 'Capturing') { live.hidden = true; live.removeAttribute('src'); $('live-msg').textContent = fmt('live.paused'); }
    else { if (!live.getAttribute('src')) live.src = `${api}/live`; live.hidden = false; $('live-msg').textContent = ''; }
  }

  // Progress per region and lighting with the ETA, from the server-sent events (and the status poll as a fallback).
  function renderProgress(p) {
    const wasRunning = progress.phase === 'running';
    progress = p;
    document.body.dataset.phase = p.phase;
    $('capture').disabled = !captureAvailable || p.phase === 'running';
    $('abort').disabled = p.phase !== 'running';
    $('progress').value = p.fraction || 0;
    let msg;
    if (!captureAvailable) msg = fmt('capture.unavailable');
    else if (p.phase === 'running') {
      const parts = [fmt(`capture.step.${p.step}`)];
      if (p.step === 'Stacking' && p.region) {
        parts.push(fmt('capture.region', p.region, num(p.regionIndex + 1, 0), num(p.regionCount, 0)));
        if (p.lighting) parts.push(fmt('capture.lighting', p.lighting));
        parts.push(fmt('capture.slice', num(p.slice + 1, 0), num(p.sliceCount, 0)));
        if (p.attempt > 1) parts.push(fmt('capture.retry'));
      }
      msg = parts.join(' · ');
    } else if (p.phase === 'aborted') msg = fmt('capture.aborted', p.reason || '');
    else if (p.phase === 'failed') msg = fmt('capture.failed', p.reason || '');
    else if (p.phase === 'refused') msg = fmt('capture.refused', p.reason || '');
    else if (p.phase === 'done') msg = fmt('capture.done');
    else msg = fmt('capture.idle');
    $('capture-msg').textContent = msg;
    $('capture-eta').textContent = p.phase === 'running' && p.remainingSeconds != null
      ? fmt('capture.eta', num(p.remainingSeconds, 0), num(p.framesDone, 0), num(p.framesPlanned, 0)) : '';
    $('region-progress').replaceChildren(...(p.regions || []).map((r) => {
      const li = document.createElement('li');
      li.dataset.region = r.region;
      li.dataset.state = r.state;
      li.textContent = `${r.region}: ${fmt(`region.${r.state}`)}${r.lightings.length ? ` (${r.lightings.join(', ')})` : ''}`;
      return li;
    }));
    if (wasRunning && p.phase !== 'running') { chosenCapture = null; refresh(); } // a finished capture is shown at once
  }

  const uploadText = (c) => fmt(`upload.${c.uploadState}`) + (c.uploadReason ? ` (${c.uploadReason})` : '');

  // The capture whose result is shown: null follows the newest; a history row's Open button picks an earlier one.
  let chosenCapture = null;
  let lastCaptures = [];
  function renderCaptures(list) {
    lastCaptures = list;
    const shown = list.find((c) => c.captureId === chosenCapture) || list[0];
    const tbody = $('history').querySelector('tbody');
    tbody.replaceChildren(...list.map((c) => {
      const tr = document.createElement('tr');
      tr.dataset.captureId = c.captureId;
      tr.dataset.upload = c.uploadState;
      if (c === shown) tr.setAttribute('aria-current', 'true');
      for (const v of [timeOnly(c.startedAt), `${c.caseNumber} / ${c.exhibit} / ${c.item}`, fmt(`outcome.${c.outcome}`), uploadText(c)]) {
        tr.appendChild(Object.assign(document.createElement('td'), { textContent: v }));
      }
      const open = Object.assign(document.createElement('button'), { type: 'button', className: 'open', textContent: fmt('history.open') });
      open.setAttribute('aria-label', `${fmt('history.open')} ${timeOnly(c.startedAt)} ${c.caseNumber} / ${c.exhibit} / ${c.item}`);
      open.addEventListener('click', () => {
        chosenCapture = c.captureId;
        renderCaptures(lastCaptures);
        $('results').scrollIntoView({ block: 'start' });
      });
      const cell = document.createElement('td');
      cell.appendChild(open);
      tr.appendChild(cell);
      return tr;
    }));
    const results = $('results');
    if (!list.length) { results.textContent = fmt('results.none'); delete results.dataset.captureId; return; }
    const c = shown;
    if (results.dataset.captureId === c.captureId && results.dataset.upload === c.uploadState
      && results.dataset.uploadText === uploadText(c) && results.dataset.lang === lang) return; // unchanged: keep the images
    results.dataset.captureId = c.captureId;
    results.dataset.lang = lang;
    results.dataset.upload = c.uploadState;
    results.dataset.uploadText = uploadText(c);
    const head = document.createElement('p');
    head.id = 'result-summary';
    head.textContent = `${c.caseNumber} / ${c.exhibit} / ${c.item} · ${fmt(`outcome.${c.outcome}`)}${c.reasons.length ? `: ${c.reasons.join('; ')}` : ''}`;
    const upload = document.createElement('p');
    upload.append(`${fmt('results.upload')}: `, Object.assign(document.createElement('b'), { id: 'result-upload', textContent: uploadText(c) }));
    upload.querySelector('b').dataset.state = c.uploadState;
    results.replaceChildren(head, upload, ...c.regions.map((r) => {
      const div = document.createElement('div');
      div.className = 'region';
      div.dataset.region = r.region;
      div.dataset.qc = r.qcPassed ? 'pass' : 'fail';
      const text = document.createElement('p');
      text.append(Object.assign(document.createElement('b'), { textContent: r.region }), document.createElement('br'),
        (r.qcPassed ? fmt('results.qcPass') : fmt('results.qcFail')) + (r.qcReasons.length ? `: ${r.qcReasons.join('; ')}` : ''),
        r.attempts > 1 ? ` (${fmt('results.attempts', num(r.attempts, 0))})` : '',
        document.createElement('br'), fmt('results.zRange', num(r.zFromMicrometres), num(r.zToMicrometres)));
      div.appendChild(text);
      const images = document.createElement('div');
      images.className = 'images';
      for (const f of r.fusedImages) {
        const fig = document.createElement('figure');
        fig.append(Object.assign(document.createElement('img'), { src: f.url, alt: fmt('results.fused', r.region, f.lighting), className: 'fused' }),
          Object.assign(document.createElement('figcaption'), { textContent: fmt('results.fused', r.region, f.lighting) }));
        images.appendChild(fig);
      }
      if (r.heightMapUrl) {
        const fig = document.createElement('figure');
        fig.append(Object.assign(document.createElement('img'), { src: r.heightMapUrl, alt: fmt('results.height', r.region), className: 'height' }),
          Object.assign(document.createElement('figcaption'), { textContent: fmt('results.height', r.region) }));
        images.appendChild(fig);
      }
      div.appendChild(images);
      return div;
    }));
  }

  let events = null;
  function listen() {
    if (events) return;
    events = new EventSource(`${api}/events`);
    events.addEventListener('progress', (e) => renderProgress(JSON.parse(e.data)));
    events.addEventListener('scan', (e) => onScan(JSON.parse(e.data)));
    events.addEventListener('upload', (e) => onUpload(JSON.parse(e.data)));
    events.addEventListener('open', () => { document.body.dataset.events = 'open'; });
  }
  function unlisten() { if (events) { events.close(); events = null; delete document.body.dataset.events; } }

  // The outbox changed a capture's upload (queued, uploading, retrying, uploaded, rejected with the reason): shown at
  // once in its history row and, when it is the one shown, in the result, without waiting for the next refresh.
  function onUpload(u) {
    const c = lastCaptures.find((x) => x.captureId === u.captureId);
    if (c) {
      c.uploadState = u.uploadState;
      c.uploadReason = u.uploadReason;
      renderCaptures(lastCaptures);
    }
    document.body.dataset.uploadEvent = `${u.captureId}:${u.uploadState}`;
  }

  // A serial scanner's value goes into the focused text field (the case number when none is focused), like a USB scanner's.
  function onScan(scan) {
    const active = document.activeElement;
    const target = active && active.tagName === 'INPUT' && active.closest('#case-form') && active.type !== 'checkbox' ? active : $('f-caseNumber');
    target.value = scan.value;
    const err = $(`e-${target.name}`);
    if (target === $('f-caseNumber') && err) {
      err.textContent = scan.valid ? '' : fmt('scan.invalid', fmt(scan.errorKey, scan.errorArgument || ''));
      if (scan.valid) target.removeAttribute('aria-invalid'); else target.setAttribute('aria-invalid', 'true');
    }
    document.body.dataset.scans = String((+document.body.dataset.scans || 0) + 1);
  }

  let timer = null;
  // refresh() also runs outside the 2 s timer (the end of a capture, the page coming back into view); only the
  // newest one may show its result, or a stalled older poll would mark a station that has answered since as down.
  let generation = 0;
  async function refresh() {
    clearTimeout(timer);
    const mine = ++generation;
    const newest = () => mine === generation;
    if (!signedIn) { unlisten(); return; }
    listen();
    try {
      const s = await call('GET', '/status', undefined, pollTimeoutMs);
      if (!newest()) return;
      if (s.status === 401) { show(false); unlisten(); return; }
      if (s.ok) { $('st-state').className = ''; renderStatus(s.data); }
      const caps = await call('GET', '/captures', undefined, pollTimeoutMs);
      if (!newest()) return;
      if (caps.ok) renderCaptures(caps.data);
      document.body.dataset.refreshed = String((+document.body.dataset.refreshed || 0) + 1);
    } catch {
      if (!newest()) return;
      // The station restarting or a network blip: say so and keep polling, so the page recovers by itself
      // instead of freezing on the last state it saw.
      $('st-state').textContent = fmt('status.unreachable');
      $('st-state').className = 'bad';
      // A half-open connection takes the event stream and the live view with it, and neither says so: both are
      // dropped (the next poll that succeeds opens them afresh), and capture waits for a station that answers.
      unlisten();
      $('live').removeAttribute('src');
      $('live').hidden = true;
      $('capture').disabled = true;
      document.body.dataset.refreshFailures = String((+document.body.dataset.refreshFailures || 0) + 1);
    } finally {
      if (signedIn && newest()) { clearTimeout(timer); timer = setTimeout(refresh, 2000); }
    }
  }

  // A hidden page (screen off, another tab) stops its live view, so the live-view lighting goes off with it.
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) { $('live').removeAttribute('src'); $('live').hidden = true; } else if (signedIn) refresh();
  });

  (async () => {
    await loadStrings();
    const me = await call('GET', '/me');
    if (me.ok) await afterSignIn(me.data); else show(false);
    document.body.dataset.ready = 'true';
  })();
})();
