// CopyTrader live dashboard: reads the server-sent event stream next to this page and renders it. Read-only;
// every value is put in the page as text (textContent), never as HTML.
(function () {
  'use strict';
  const MAX_TRADES = 200;
  const $ = (id) => document.getElementById(id);
  const text = (id, value) => { const el = $(id); if (el) { el.textContent = value == null ? '–' : String(value); } };

  function cell(row, value, cls) {
    const td = document.createElement('td');
    td.textContent = value == null ? '' : String(value);
    if (cls) { td.className = cls; }
    row.appendChild(td);
    return td;
  }

  const money = (v) => (v == null ? '–' : (String(v).startsWith('-') ? '-$' + String(v).slice(1) : '$' + v));

  function signed(td, value) {
    if (value != null && value !== '') { td.classList.add(Number(value) < 0 ? 'neg' : 'pos'); }
  }

  function renderFigures(f) {
    text('venue', 'venue: ' + f.venue);
    text('targets', 'targets: ' + (f.targets || []).join(', '));
    text('updated', 'updated ' + new Date(f.at).toLocaleTimeString());
    const b = f.breaker;
    $('tile-breaker').dataset.state = b.state;
    text('breaker-state', b.state);
    text('breaker-config', 'opens at ' + b.failureRateThresholdPercent + '% failed of the last ' + b.slidingWindowSize
      + ' orders (at least ' + b.minimumNumberOfCalls + '); stays open ' + b.waitInOpenStateSeconds + ' s; failed now '
      + b.failedCalls + '/' + b.bufferedCalls + '; refused while open ' + b.notPermittedCalls);
    const q = f.queue;
    text('queue-length', q.length); text('queue-capacity', q.capacity); text('queue-overflows', q.overflows); text('queue-joined', q.joined);
    text('queue-processing', q.processing); text('queue-inflight', q.inFlight);
    const p = f.portfolio;
    text('cash', money(p.cash)); text('equity', money(p.equity)); text('pnl', money(p.unrealizedPnl));
    text('exposure', money(p.exposure)); text('exposure-cap', money(p.exposureCap));
    text('exposure-ratio', p.maxExposureRatio); text('max-position', p.maxPositionUsd);
    const used = Number(p.exposureCap) > 0 ? Math.min(100, 100 * Number(p.exposure) / Number(p.exposureCap)) : 0;
    const bar = $('exposure-bar'); bar.style.width = used.toFixed(1) + '%'; bar.classList.toggle('high', used > 90);
    text('dead-letters', f.deadLetters.pending); text('dead-letters-total', f.deadLetters.total);
    $('tile-dead-letters').dataset.state = f.deadLetters.pending > 0 ? 'some' : 'none';
    const c = f.counts;
    ['detected', 'copied', 'skipped', 'failed', 'dropped', 'abandoned'].forEach((k) => text('count-' + k, c[k]));
    text('latency-p50', f.latency.p50Ms); text('latency-p99', f.latency.p99Ms);
    renderPositions(p.positions); renderLags(f.detectionLag); renderFeeds(f.feeds);
  }

  function replaceRows(tableId, rows, fill) {
    const body = $(tableId).tBodies[0];
    const fresh = document.createElement('tbody');
    rows.forEach((r) => { const tr = document.createElement('tr'); fill(tr, r); fresh.appendChild(tr); });
    body.replaceWith(fresh);
  }

  function renderPositions(positions) {
    replaceRows('positions', positions, (tr, p) => {
      cell(tr, p.instrument); cell(tr, p.quantity, 'num'); cell(tr, p.cost, 'num');
      cell(tr, p.mark, 'num'); cell(tr, p.value, 'num'); signed(cell(tr, p.unrealizedPnl, 'num'), p.unrealizedPnl);
    });
  }

  function renderLags(lags) {
    replaceRows('detection-lag', Object.keys(lags), (tr, source) => {
      const l = lags[source];
      cell(tr, source + (l.from ? ' (' + l.from + ')' : '')); cell(tr, l.p50Ms, 'num'); cell(tr, l.p99Ms, 'num');
      cell(tr, l.maxMs, 'num'); cell(tr, l.count, 'num');
    });
  }

  function renderFeeds(feeds) {
    replaceRows('feeds', Object.keys(feeds), (tr, target) => {
      cell(tr, target); cell(tr, feeds[target].consecutiveFailures, 'num'); cell(tr, feeds[target].lastError);
    });
  }

  function addTrades(trades) {
    const body = $('trades').tBodies[0];
    trades.forEach((t) => {
      if (body.querySelector('tr[data-seq="' + Number(t.seq) + '"]')) { return; }
      const tr = document.createElement('tr');
      tr.dataset.seq = String(Number(t.seq));
      tr.dataset.ended = String(t.time);
      tr.className = 'new ' + t.outcome;
      cell(tr, new Date(t.time).toLocaleTimeString()); cell(tr, t.target); cell(tr, t.instrument); cell(tr, t.side);
      cell(tr, t.size, 'num'); cell(tr, t.price, 'num');
      cell(tr, t.outcome + (t.reason ? ' ' + t.reason : ''), 'outcome');
      cell(tr, t.ourSize ? t.ourSize + ' @ ' + (t.ourFillPrice || t.ourLimit) : '', 'num');
      cell(tr, t.latencyMs, 'num');
      body.insertBefore(tr, body.firstChild);
    });
    while (body.rows.length > MAX_TRADES) { body.deleteRow(body.rows.length - 1); }
  }

  function connect() {
    const conn = $('connection');
    const source = new EventSource('events');
    source.addEventListener('update', (e) => {
      const u = JSON.parse(e.data);
      conn.dataset.state = 'live'; conn.textContent = 'live';
      renderFigures(u.figures);
      addTrades(u.trades);
    });
    source.onerror = () => { conn.dataset.state = 'lost'; conn.textContent = 'reconnecting'; };
  }

  connect();
}());
