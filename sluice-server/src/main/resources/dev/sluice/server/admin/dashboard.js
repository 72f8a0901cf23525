// Sluice live dashboard: reads GET /admin/stream (server-sent events) with fetch, so the admin
// token travels in the Authorization header, and draws small SVG charts by hand. No library.
'use strict';

(function () {
  const SVG = 'http://www.w3.org/2000/svg';
  const KEEP = 120;
  const PALETTE = ['#4fa3f7', '#5fd38d', '#ff6b6b', '#f7c948', '#b78cf7', '#f78c4f', '#4fd1c5', '#e06fb8'];
  const TOKEN_KEY = 'sluice.adminToken';
  const state = { updates: 0, lastId: null, history: [], drawn: {}, status: 'signed out', error: null };
  window.sluiceDashboard = state;
  let abort = null;

  const $ = (id) => document.getElementById(id);

  function setStatus(text, kind) {
    state.status = text;
    const el = $('status');
    el.textContent = text;
    el.className = 'status' + (kind ? ' ' + kind : '');
  }

  function signedIn(on) {
    $('login').hidden = on;
    $('panels').hidden = !on;
    $('logout').hidden = !on;
  }

  async function connect(token) {
    if (abort) abort.abort();
    abort = new AbortController();
    setStatus('connecting');
    let res;
    try {
      res = await fetch('/admin/stream', {
        headers: { 'Authorization': 'Bearer ' + token, 'Accept': 'text/event-stream' },
        cache: 'no-store', signal: abort.signal
      });
    } catch (e) {
      if (e.name !== 'AbortError') retry(token, 'connection failed');
      return;
    }
    if (res.status === 401 || res.status === 403) {
      sessionStorage.removeItem(TOKEN_KEY);
      signedIn(false);
      $('login-error').textContent = res.status === 401 ? 'That token was refused.' : 'The admin API is closed (no token configured).';
      setStatus('signed out');
      return;
    }
    if (!res.ok || !res.body) {
      retry(token, 'stream answered ' + res.status);
      return;
    }
    signedIn(true);
    setStatus('live', 'live');
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          handleEvent(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
        }
      }
    } catch (e) {
      if (e.name === 'AbortError') return;
    }
    retry(token, 'stream ended');
  }

  function retry(token, why) {
    setStatus(why + '; retrying', 'error');
    setTimeout(() => { if (sessionStorage.getItem(TOKEN_KEY) === token) connect(token); }, 2000);
  }

  function handleEvent(block) {
    let data = '';
    let id = null;
    for (const line of block.split('\n')) {
      if (line.startsWith('data:')) data += line.slice(5).trim();
      else if (line.startsWith('id:')) id = line.slice(3).trim();
    }
    if (!data) return;
    const snapshot = JSON.parse(data);
    state.history.push(snapshot);
    if (state.history.length > KEEP) state.history.shift();
    state.lastId = id;
    state.updates++;
    draw();
  }

  // ---- charts -------------------------------------------------------------------------------

  function el(name, attrs, parent) {
    const e = document.createElementNS(SVG, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  function size(svg) {
    const w = Math.max(200, Math.round(svg.clientWidth || 600));
    const h = Math.max(100, Math.round(svg.clientHeight || 170));
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    return { w, h };
  }

  function fmt(v) {
    if (v >= 1e6) return (v / 1e6).toFixed(1) + 'M';
    if (v >= 1e3) return (v / 1e3).toFixed(1) + 'k';
    if (v >= 10 || v === 0) return v.toFixed(0);
    return v.toPrecision(2);
  }

  // series: [{name, values (one per snapshot, null = unknown), dashed}]; fixedMax: a fixed y range
  function lineChart(id, series, fixedMax) {
    const svg = $(id);
    const { w, h } = size(svg);
    const left = 40, bottom = 14, top = 6, n = state.history.length;
    let max = fixedMax || 0;
    if (!fixedMax) for (const s of series) for (const v of s.values) if (v != null && v > max) max = v;
    if (!(max > 0)) max = 1;
    for (let i = 0; i <= 2; i++) {
      const y = top + (h - top - bottom) * (1 - i / 2);
      el('line', { x1: left, x2: w, y1: y, y2: y, class: 'grid' }, svg);
      el('text', { x: 2, y: y + 3 }, svg).textContent = fmt(max * i / 2);
    }
    const span = Math.max(1, KEEP - 1);
    let points = 0;
    series.forEach((s, k) => {
      const color = PALETTE[k % PALETTE.length];
      let run = [];
      const flush = () => {
        if (run.length > 0) {
          el('polyline', { points: run.join(' '), stroke: color, class: s.dashed ? 'dashed' : '' }, svg);
          points += run.length;
        }
        run = [];
      };
      s.values.forEach((v, i) => {
        if (v == null) { flush(); return; }
        const x = left + (w - left) * (KEEP - n + i) / span;
        const y = top + (h - top - bottom) * (1 - Math.min(v, max) / max);
        run.push(x.toFixed(1) + ',' + y.toFixed(1));
      });
      flush();
      s.color = color;
    });
    state.drawn[id] = points;
    legend('legend-' + id.slice(6), series);
  }

  function legend(id, series) {
    const box = $(id);
    if (!box) return;
    while (box.firstChild) box.removeChild(box.firstChild);
    for (const s of series) {
      const item = document.createElement('span');
      const swatch = document.createElement('i');
      swatch.style.background = s.color;
      item.appendChild(swatch);
      const last = s.values[s.values.length - 1];
      item.appendChild(document.createTextNode(s.name + (last == null ? '' : ' ' + fmt(last))));
      box.appendChild(item);
    }
  }

  const pick = (f) => state.history.map((snap) => { const v = f(snap); return v == null ? null : v; });

  function tierNames() {
    const last = state.history[state.history.length - 1];
    return last ? Object.keys(last.tiers) : [];
  }

  function drawTraffic() {
    const series = [];
    for (const t of tierNames()) {
      series.push({ name: t + ' offered', values: pick((s) => s.tiers[t] && s.tiers[t].offered) });
      series.push({ name: t + ' admitted', values: pick((s) => s.tiers[t] && s.tiers[t].admitted) });
      series.push({ name: t + ' denied', dashed: true, values: pick((s) => s.tiers[t] && s.tiers[t].denied) });
    }
    lineChart('chart-traffic', series);
  }

  function drawRate() {
    const last = state.history[state.history.length - 1];
    const series = [{ name: 'global refill', values: pick((s) => s.global.rate) }];
    for (const t of tierNames()) series.push({ name: t + ' refill', values: pick((s) => s.tiers[t] && s.tiers[t].rate) });
    for (const c of Object.keys(last.control.proposals)) {
      series.push({ name: c, dashed: true, values: pick((s) => s.control.proposals[c]) });
    }
    series.push({ name: 'capacity estimate', dashed: true, values: pick((s) => s.control.capacity) });
    lineChart('chart-rate', series);
  }

  function drawConcurrency() {
    lineChart('chart-concurrency', [
      { name: 'limit in force', values: pick((s) => s.global.concurrencyLimit) },
      { name: 'capacity controller', dashed: true, values: pick((s) => s.control.concurrencyLimit) },
      { name: 'in flight', values: pick((s) => s.global.inFlight) }
    ]);
  }

  function drawLatency() {
    lineChart('chart-latency', [
      { name: 'p50', values: pick((s) => s.upstream.p50) },
      { name: 'p95', values: pick((s) => s.upstream.p95) },
      { name: 'p99', values: pick((s) => s.upstream.p99) }
    ]);
  }

  function drawFill() {
    const series = tierNames().map((t) => ({ name: t, values: pick((s) => s.tiers[t] && s.tiers[t].fill) }));
    series.push({ name: 'global', dashed: true, values: pick((s) => s.global.fill) });
    lineChart('chart-fill', series, 1);
  }

  function drawAnomaly() {
    const last = state.history[state.history.length - 1];
    const series = [{ name: 'global', values: pick((s) => s.anomaly.global) }];
    for (const t of Object.keys(last.anomaly.tiers)) series.push({ name: t, values: pick((s) => s.anomaly.tiers[t]) });
    lineChart('chart-anomaly', series, 1);
    const list = $('events');
    while (list.firstChild) list.removeChild(list.firstChild);
    const events = last.anomaly.enabled ? last.anomaly.events.slice().reverse() : [];
    if (!last.anomaly.enabled) {
      const li = document.createElement('li');
      li.textContent = 'anomaly detection is off (adaptive.anomaly.enabled)';
      list.appendChild(li);
    }
    for (const e of events) {
      const li = document.createElement('li');
      li.className = e.end == null ? 'open' : '';
      li.textContent = e.kind + ' ' + e.scope + ' score ' + Number(e.score).toFixed(2) + ' ' + (e.action || '')
        + (e.end == null ? ' (open)' : '');
      list.appendChild(li);
    }
  }

  function drawHeatmap() {
    const svg = $('chart-heatmap');
    const { w, h } = size(svg);
    const totals = new Map();
    for (const s of state.history) for (const c of s.clients) totals.set(c.key, (totals.get(c.key) || 0) + c.tokens);
    const rows = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10).map((e) => e[0]);
    const left = 110, cw = (w - left) / KEEP, ch = Math.max(8, (h - 4) / Math.max(rows.length, 1));
    let max = 0;
    for (const s of state.history) for (const c of s.clients) max = Math.max(max, c.tokens / s.seconds);
    let cells = 0;
    rows.forEach((key, r) => {
      const label = el('text', { x: 2, y: r * ch + ch / 2 + 3 }, svg);
      label.textContent = key.length > 16 ? key.slice(0, 15) + '…' : key;
      state.history.forEach((s, i) => {
        const c = s.clients.find((x) => x.key === key);
        if (!c) return;
        const v = c.tokens / s.seconds / (max || 1);
        el('rect', { x: left + (KEEP - state.history.length + i) * cw, y: r * ch, width: Math.max(1, cw - 0.5),
          height: ch - 1, fill: 'rgba(255,107,107,' + (0.15 + 0.85 * v).toFixed(3) + ')' }, svg);
        cells++;
      });
    });
    if (rows.length === 0) el('text', { x: left, y: 20 }, svg).textContent = 'no traffic yet';
    state.drawn['chart-heatmap'] = cells;
  }

  function draw() {
    if (state.history.length === 0) return;
    const last = state.history[state.history.length - 1];
    $('policy').textContent = 'policy ' + last.control.policy;
    drawTraffic();
    drawRate();
    drawConcurrency();
    drawLatency();
    drawFill();
    drawAnomaly();
    drawHeatmap();
  }

  // ---- sign in --------------------------------------------------------------------------------

  document.addEventListener('DOMContentLoaded', () => {
    $('login').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const token = $('token').value.trim();
      $('token').value = '';
      $('login-error').textContent = '';
      if (!token) return;
      sessionStorage.setItem(TOKEN_KEY, token);
      connect(token);
    });
    $('logout').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      if (abort) abort.abort();
      state.history = [];
      signedIn(false);
      setStatus('signed out');
    });
    window.addEventListener('resize', draw);
    const saved = sessionStorage.getItem(TOKEN_KEY);
    if (saved) connect(saved);
  });
})();
