// The pipeline view (docs/console.md): how the consumer group keeps up. GET /pipeline once, then
// the stream's pipeline:GROUP event each second: per topic the messages arriving (the broker's end
// offsets) and committed per second, the lag and the offsets; each processor's latest batch window
// with its commit times; their history as charts (the commit times seeded from
// GET /pipeline/commits); and the dead letters with their reasons (GET /pipeline/dead-letters,
// read again whenever the event says a newer one is stored).
import * as api from './api.js';
import * as fmt from './format.js';

const HISTORY_MINUTES = 15;
const MAX_POINTS = 3600;
const DEAD_LETTERS = 50;

export class PipelineView {
  constructor(stream) {
    this.stream = stream;
    this.group = null;
    this.rates = [];
    this.windows = new Map();
    this.latestDeadLetter = undefined;
    this.waiting = null;
  }

  async show() {
    clearTimeout(this.waiting);
    if (this.group && this.stream.channels.includes(`pipeline:${this.group}`)) return;
    let body;
    try {
      body = await api.get('/pipeline');
    } catch (error) {
      if (error.status !== 404) throw error;
      // Nothing to show before a processor commits; look again while this view is open.
      this.problem(null);
      document.getElementById('pipeline-summary').textContent =
        'no consumer group has committed yet: start quant processor (or scripts/demo); looking again every 5 s';
      this.waiting = setTimeout(() => {
        if (location.hash.startsWith('#/pipeline')) this.show().catch((e) => this.problem(e));
      }, 5000);
      return;
    }
    this.group = body.consumer_group;
    this.problem(null);
    this.rates = [];
    this.stream.open([`pipeline:${this.group}`], {
      pipeline: (next) => this.receive(next),
      reload: () => this.loadHistory().catch((e) => this.problem(e)),
    }, 'pipeline');
    await this.loadHistory();
    this.receive(body);
  }

  /** The commit windows of the last minutes and the newest dead letters. */
  async loadHistory() {
    const group = encodeURIComponent(this.group);
    const commits = await api.get(`/pipeline/commits?group=${group}&minutes=${HISTORY_MINUTES}`);
    this.windows = new Map(commits.windows.map((w) => [`${w.instance}|${w.window_end}`, w]));
    this.renderCommits();
    await this.loadDeadLetters();
  }

  async loadDeadLetters() {
    const page = await api.get(`/pipeline/dead-letters?limit=${DEAD_LETTERS}`);
    document.getElementById('dead-caption').textContent = page.dead_letters.length
      ? `the newest ${fmt.quantity(page.dead_letters.length)}, every topic: messages the processor set aside with the reason, stored once each (analytics.dead_letters)`
      : 'no dead letters: every message was stored';
    document.querySelector('#dead-letters tbody').replaceChildren(...page.dead_letters.map((d) => {
      const tr = row([stamp(d.received_at), d.topic ?? d.source, d.partition ?? '—', d.offset === undefined ? '—' : fmt.quantity(d.offset),
        d.error, shorten(d.payload_preview ?? '')], [null, null, 'num', 'num', 'text', 'text payload']);
      tr.lastElementChild.title = d.payload_preview ?? '';
      return tr;
    }));
  }

  problem(error) {
    const box = document.getElementById('pipeline-error');
    box.hidden = !error;
    box.textContent = error ? `Could not load: ${error.message}${error.status ? ` (HTTP ${error.status})` : ''}` : '';
  }

  receive(body) {
    if (body.consumer_group !== this.group) return;
    const read = body.broker.read_at ? ` (end offsets read ${fmt.price((Date.parse(body.as_of) - Date.parse(body.broker.read_at)) / 1000, 0)} s before)` : '';
    const broker = (body.broker.reachable ? 'broker answering' : `broker: ${body.broker.error}`) + read;
    const summary = document.getElementById('pipeline-summary');
    summary.textContent = `consumer group ${body.consumer_group} · as of ${fmt.clock(body.as_of)} UTC · ${broker}`;
    summary.dataset.asOf = body.as_of;
    this.renderTopics(body);
    this.addRates(body);
    this.renderProcessors(body);
    let added = false;
    for (const w of body.processors) {
      const key = `${w.instance}|${w.window_end}`;
      if (!this.windows.has(key)) { this.windows.set(key, w); added = true; }
    }
    if (added) this.renderCommits();
    const latest = body.dead_letters.latest_id ?? null;
    if (this.latestDeadLetter !== undefined && latest !== this.latestDeadLetter) {
      this.loadDeadLetters().catch((e) => this.problem(e));
    }
    this.latestDeadLetter = latest;
  }

  renderTopics(body) {
    document.getElementById('topics-caption').textContent =
      'in / s: the broker\'s end offsets; committed / s and the committed offset: what PostgreSQL stored with the rows; lag: their difference (per partition, summed)';
    document.querySelector('#topics tbody').replaceChildren(...body.topics.map((t) => {
      const tr = row([t.topic, fmt.quantity(t.partitions), rate(t.produced_per_second), rate(t.consumed_per_second),
        t.lag === undefined ? '—' : fmt.quantity(t.lag), fmt.quantity(t.committed_offset),
        t.end_offset === undefined ? '—' : fmt.quantity(t.end_offset),
        t.last_commit ? `${fmt.clock(t.last_commit)} (${fmt.price(t.seconds_since_commit, 1)} s ago)` : '—'],
      [null, 'num', 'num', 'num', t.lag > 0 ? 'num lag' : 'num', 'num', 'num', 'num']);
      tr.dataset.topic = t.topic;
      tr.dataset.lag = t.lag ?? '';
      tr.dataset.committed = t.committed_offset;
      return tr;
    }));
  }

  /** Every topic together: messages per second arriving and committed, and the lag (right axis). */
  addRates(body) {
    const sum = (key) => (body.topics.some((t) => t[key] !== undefined) ? body.topics.reduce((a, t) => a + (t[key] ?? 0), 0) : null);
    this.rates.push([new Date(body.as_of), sum('produced_per_second'), sum('consumed_per_second'), sum('lag')]);
    this.rates = this.rates.slice(-MAX_POINTS);
    document.getElementById('rates-caption').textContent =
      `every topic together, one point a second since this page opened (${fmt.quantity(this.rates.length)} points)`;
    const options = {
      labels: ['Time', 'in / s', 'committed / s', 'lag'], labelsUTC: true, legend: 'always', labelsSeparateLines: true,
      colors: ['#8250df', '#0969da', '#cf222e'], connectSeparatedPoints: true, animatedZooms: false,
      series: { lag: { axis: 'y2' } },
      axes: {
        y: { valueFormatter: (v) => fmt.price(v, 1), axisLabelFormatter: (v) => fmt.quantity(v) },
        y2: { valueFormatter: (v) => fmt.quantity(v), axisLabelFormatter: (v) => fmt.quantity(v), independentTicks: true },
      },
      ylabel: 'messages / s', y2label: 'lag (messages)',
    };
    const element = document.getElementById('rates-chart');
    if (this.ratesChart) this.ratesChart.updateOptions({ ...options, file: this.rates });
    else this.ratesChart = new Dygraph(element, this.rates, options);
  }

  renderProcessors(body) {
    document.getElementById('processors-caption').textContent = body.processors.length
      ? 'each processor\'s latest batch window (analytics.ingest_windows, every processor.ingestWindowSeconds)'
      : 'no processor stored a batch window in the last 2 minutes: none is running, or all are stalled';
    document.querySelector('#processors tbody').replaceChildren(...body.processors.map((p) => row([
      p.instance, `${fmt.clock(p.window_end)} (${fmt.price(p.window_seconds, 1)} s)`, fmt.quantity(p.batches), rate(p.messages_per_second),
      millis(p.commit_ms_p50), millis(p.commit_ms_p99), millis(p.commit_ms_max), fmt.quantity(p.dead_letters),
    ], [null, 'num', 'num', 'num', 'num', 'num', 'num', p.dead_letters > 0 ? 'num down' : 'num'])));
  }

  /** Commit time per window: median, 99th percentile and maximum (windows without batches are gaps). */
  renderCommits() {
    const windows = [...this.windows.values()].sort((a, b) => a.window_end.localeCompare(b.window_end)).slice(-MAX_POINTS);
    this.windows = new Map(windows.map((w) => [`${w.instance}|${w.window_end}`, w]));
    const points = windows.map((w) => [new Date(w.window_end), w.commit_ms_p50 ?? null, w.commit_ms_p99 ?? null, w.commit_ms_max ?? null]);
    const busy = windows.filter((w) => w.batches > 0);
    document.getElementById('commits-caption').textContent = busy.length
      ? `${fmt.quantity(busy.reduce((a, w) => a + w.batches, 0))} batches in the last ${HISTORY_MINUTES} minutes and since; each commit is COPY of every table, the dead letters and the offsets in one transaction`
      : 'no batch committed in the last minutes';
    const element = document.getElementById('commits-chart');
    if (!points.length) {
      this.commitsChart?.destroy();
      this.commitsChart = null;
      return;
    }
    const options = {
      labels: ['Window end', 'p50', 'p99', 'max'], labelsUTC: true, legend: 'always', labelsSeparateLines: true,
      colors: ['#1a7f37', '#bf8700', '#cf222e'], connectSeparatedPoints: false, drawPoints: points.length < 60, animatedZooms: false,
      axes: { y: { valueFormatter: (v) => `${fmt.price(v, 1)} ms`, axisLabelFormatter: (v) => fmt.quantity(v) } },
      ylabel: 'ms',
    };
    if (this.commitsChart) this.commitsChart.updateOptions({ ...options, file: points });
    else this.commitsChart = new Dygraph(element, points, options);
  }
}

function row(values, classes) {
  const tr = document.createElement('tr');
  values.forEach((value, i) => {
    const td = document.createElement('td');
    td.textContent = value;
    if (classes[i]) td.className = classes[i];
    tr.append(td);
  });
  return tr;
}

function rate(value) {
  return value === undefined || value === null ? '—' : fmt.price(value, 1);
}

function millis(value) {
  return value === undefined || value === null ? '—' : fmt.price(value, 1);
}

/** "2026-12-04 14:03:07" from an RFC 3339 time. */
function stamp(ts) {
  return String(ts).slice(0, 19).replace('T', ' ');
}

function shorten(text) {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
