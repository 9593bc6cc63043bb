// The symbol view (docs/console.md): the order-book ladder and its depth chart (book:SYMBOL
// events, the body of GET /orderbook), the trade tape (trades:SYMBOL after GET /trades), and a
// price chart of OHLCV bars (GET /bars, the stored rollups) whose last bar moves with each print.
import * as api from './api.js';
import * as fmt from './format.js';

const LEVELS = 10;
const TAPE_ROWS = 50;
const BARS = 360;
const WIDTHS = { '1m': 60_000, '5m': 300_000, '1h': 3_600_000, '1d': 86_400_000 };

export class SymbolView {
  constructor(stream) {
    this.stream = stream;
    this.instruments = new Map();
    this.symbol = null;
    this.decimals = 2;
    this.bars = [];
    this.tape = [];
    this.lastTrade = null;
    this.loading = null;
    this.select = document.getElementById('symbol-select');
    this.interval = document.getElementById('bar-interval');
    this.select.addEventListener('change', () => { location.hash = `#/symbol/${encodeURIComponent(this.select.value)}`; });
    this.interval.addEventListener('change', () => this.loadBars().catch((e) => this.problem(e)));
  }

  /** Shows `symbol` (or the first instrument), loading its state and streaming its changes. */
  async show(symbol) {
    if (!this.instruments.size) await this.loadInstruments();
    const chosen = this.instruments.has(symbol) ? symbol : this.instruments.keys().next().value;
    if (!chosen) return this.problem(new Error('no instruments: add some (POST /api/v1/instruments) or run the demo'));
    if (chosen === this.symbol && this.stream.channels.includes(`book:${chosen}`)) return;
    this.symbol = chosen;
    this.select.value = chosen;
    this.decimals = fmt.decimalsOf(this.instruments.get(chosen).tick_size);
    this.loading?.abort();
    const loading = new AbortController();
    this.loading = loading;
    this.problem(null);
    // Subscribe first: what commits while the REST reads run is then streamed, not missed.
    this.stream.open([`book:${chosen}`, `trades:${chosen}`, `quotes:${chosen}`], {
      book: (book) => this.renderBook(book),
      trade: (trade) => this.addTrade(trade),
      quote: (quote) => this.renderQuote(quote),
      reload: (what) => this.reload(what.channel),
    }, 'symbol');
    try {
      await Promise.all([this.loadBook(loading.signal), this.loadTape(loading.signal), this.loadBars(loading.signal)]);
    } catch (error) {
      if (error.name !== 'AbortError') this.problem(error);
    }
  }

  async loadInstruments() {
    const all = await api.instruments();
    this.select.replaceChildren();
    for (const instrument of all.filter((i) => i.active !== false)) {
      this.instruments.set(instrument.symbol, instrument);
      const option = document.createElement('option');
      option.value = instrument.symbol;
      option.textContent = instrument.name ? `${instrument.symbol} · ${instrument.name}` : instrument.symbol;
      this.select.append(option);
    }
  }

  reload(channel) {
    const [kind] = String(channel).split(':');
    const work = kind === 'trades' ? this.loadTape() : kind === 'book' ? this.loadBook() : null;
    work?.catch((e) => this.problem(e));
  }

  problem(error) {
    const box = document.getElementById('symbol-error');
    box.hidden = !error;
    box.textContent = error ? `Could not load: ${error.message}${error.status ? ` (HTTP ${error.status})` : ''}` : '';
  }

  // -- the book ----------------------------------------------------------------------------

  async loadBook(signal) {
    try {
      this.renderBook(await api.get(`/orderbook/${encodeURIComponent(this.symbol)}?depth=${LEVELS}`, { signal }));
    } catch (error) {
      if (error.status !== 404) throw error;
      this.renderBook({ symbol: this.symbol, bids: [], asks: [] });  // no book published yet
    }
  }

  renderBook(book) {
    if (book.symbol && book.symbol !== this.symbol) return;
    const bids = (book.bids || []).slice(0, LEVELS);
    const asks = (book.asks || []).slice(0, LEVELS);
    const largest = Math.max(1, ...bids.map((l) => l.quantity), ...asks.map((l) => l.quantity));
    const rows = [];
    for (const level of [...asks].reverse()) rows.push(this.ladderRow(null, level, largest));
    for (const level of bids) rows.push(this.ladderRow(level, null, largest));
    if (!rows.length) {
      const row = document.createElement('tr');
      const cell = document.createElement('td');
      cell.colSpan = 5;
      cell.className = 'muted';
      cell.textContent = 'no resting orders';
      row.append(cell);
      rows.push(row);
    }
    document.querySelector('#ladder tbody').replaceChildren(...rows);
    const caption = document.getElementById('ladder-caption');
    caption.textContent = book.taken_at ? `published ${fmt.clock(book.taken_at)} UTC · sequence ${fmt.quantity(book.sequence)}` : 'no book published yet';
    this.renderDepth(bids, asks);
  }

  ladderRow(bid, ask, largest) {
    const row = document.createElement('tr');
    row.className = bid ? 'bid' : 'ask';
    row.append(
      cell(bid ? fmt.quantity(bid.orders) : ''),
      sizeCell(bid, largest, 'bid'),
      cell(fmt.price((bid || ask).price, this.decimals), 'price'),
      sizeCell(ask, largest, 'ask'),
      cell(ask ? fmt.quantity(ask.orders) : ''));
    return row;
  }

  renderDepth(bids, asks) {
    const points = [];
    let total = 0;
    for (const level of bids) points.push([Number(level.price), (total += level.quantity), null]);
    points.reverse();
    total = 0;
    for (const level of asks) points.push([Number(level.price), null, (total += level.quantity)]);
    const element = document.getElementById('depth-chart');
    if (!points.length) {
      this.depth?.destroy();
      this.depth = null;
      element.textContent = 'no resting orders';
      return;
    }
    const options = {
      labels: ['Price', 'Bids', 'Asks'], stepPlot: true, fillGraph: true, colors: ['#1a7f37', '#cf222e'],
      axes: { x: { valueFormatter: (v) => fmt.price(v, this.decimals), axisLabelFormatter: (v) => fmt.price(v, this.decimals) } },
      ylabel: 'cumulative quantity', legend: 'follow', animatedZooms: false,
    };
    if (this.depth) this.depth.updateOptions({ ...options, file: points });
    else {
      element.textContent = '';
      this.depth = new Dygraph(element, points, options);
    }
  }

  // -- the tape ----------------------------------------------------------------------------

  async loadTape(signal) {
    const page = await api.get(`/trades/${encodeURIComponent(this.symbol)}?limit=${TAPE_ROWS}`, { signal });
    this.tape = [...page.trades].sort((a, b) => Date.parse(b.ts) - Date.parse(a.ts));
    this.lastTrade = this.tape[0] || null;
    this.renderTape();
    this.renderLast();
  }

  addTrade(trade) {
    if (trade.symbol !== this.symbol) return;
    this.tape.unshift(trade);
    this.tape.length = Math.min(this.tape.length, TAPE_ROWS);
    this.lastTrade = trade;
    this.renderTape();
    this.renderLast();
    this.extendBars(trade);
  }

  renderTape() {
    const rows = this.tape.map((trade, i) => {
      const older = this.tape[i + 1];
      const row = document.createElement('tr');
      row.className = !older ? '' : Number(trade.price) > Number(older.price) ? 'up' : Number(trade.price) < Number(older.price) ? 'down' : '';
      row.append(cell(fmt.clock(trade.ts)), cell(fmt.price(trade.price, this.decimals), 'price'), cell(fmt.quantity(trade.size)));
      return row;
    });
    document.querySelector('#tape tbody').replaceChildren(...rows);
  }

  renderLast() {
    document.getElementById('last-price').textContent = this.lastTrade ? fmt.price(this.lastTrade.price, this.decimals) : '—';
    if (this.lastTrade) {
      document.getElementById('last-detail').textContent =
        `${fmt.quantity(this.lastTrade.size)} at ${fmt.clock(this.lastTrade.ts)} UTC`;
    }
  }

  renderQuote(quote) {
    if (quote.symbol !== this.symbol) return;
    const detail = document.getElementById('last-detail');
    const last = this.lastTrade ? `last ${fmt.quantity(this.lastTrade.size)} at ${fmt.clock(this.lastTrade.ts)} · ` : '';
    detail.textContent = `${last}bid ${fmt.price(quote.bid, this.decimals)} × ${fmt.quantity(quote.bid_size)} · ask ${fmt.price(quote.ask, this.decimals)} × ${fmt.quantity(quote.ask_size)}`;
  }

  // -- bars --------------------------------------------------------------------------------

  async loadBars(signal) {
    const interval = this.interval.value;
    const width = WIDTHS[interval];
    const from = new Date(Math.floor((Date.now() - BARS * width) / width) * width).toISOString();
    const page = await api.get(`/bars/${encodeURIComponent(this.symbol)}?interval=${interval}&from=${encodeURIComponent(from)}`, { signal });
    this.bars = page.bars.map((bar) => ({
      start: new Date(bar.start).getTime(), low: Number(bar.low), close: Number(bar.close), high: Number(bar.high),
    }));
    const sources = new Set(page.bars.map((bar) => bar.source));
    document.getElementById('bars-note').textContent = page.bars.length
      ? `${fmt.quantity(page.bars.length)} ${page.bars.length === 1 ? 'bar' : 'bars'} of ${interval} from the stored rollups (${[...sources].join(', ').replace('quote_mid', 'quote mids')}); the line is the close, the band the high and low`
      : `no bars of ${interval} in the last ${fmt.quantity(BARS)} intervals`;
    this.renderBars();
  }

  /** A print moves the last bar (or opens the next), as the rollup will once it commits. */
  extendBars(trade) {
    const width = WIDTHS[this.interval.value];
    const at = new Date(trade.ts).getTime();
    const start = Math.floor(at / width) * width;
    const price = Number(trade.price);
    const last = this.bars[this.bars.length - 1];
    if (last && last.start === start) {
      last.close = price;
      last.high = Math.max(last.high, price);
      last.low = Math.min(last.low, price);
    } else if (!last || start > last.start) {
      this.bars.push({ start, low: price, close: price, high: price });
    } else {
      return;  // a late print of an older bar: the rollup has it, the chart catches up on reload
    }
    this.renderBars();
  }

  renderBars() {
    const element = document.getElementById('bars-chart');
    if (!this.bars.length) {
      this.chart?.destroy();
      this.chart = null;
      element.textContent = 'no bars yet';
      return;
    }
    const points = this.bars.map((bar) => [new Date(bar.start), [bar.low, bar.close, bar.high]]);
    const options = {
      labels: ['Time', 'Close'], customBars: true, colors: ['#0969da'], legend: 'follow',
      axes: { y: { valueFormatter: (v) => fmt.price(v, this.decimals), axisLabelFormatter: (v) => fmt.price(v, this.decimals) } },
      labelsUTC: true, animatedZooms: false,
    };
    if (this.chart) this.chart.updateOptions({ ...options, file: points });
    else {
      element.textContent = '';
      this.chart = new Dygraph(element, points, options);
    }
  }
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

/** A size with a bar behind it proportional to the largest level shown. */
function sizeCell(level, largest, side) {
  const td = document.createElement('td');
  td.className = `size ${side}`;
  if (!level) return td;
  const bar = document.createElement('span');
  bar.className = 'depth-bar';
  bar.style.width = `${Math.round((level.quantity / largest) * 100)}%`;
  const text = document.createElement('span');
  text.textContent = fmt.quantity(level.quantity);
  td.append(bar, text);
  return td;
}
