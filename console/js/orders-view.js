// The orders view (docs/console.md): an order ticket and the blotter. Writes need an API key of
// scope write, which the user enters; it is kept in this tab's sessionStorage only and sent as
// `Authorization: Bearer`. Each order goes with an Idempotency-Key, so a retried submit is not a
// second order. The blotter (GET /orders) is read again when a book of its symbols changes (the
// book:SYMBOL events: a fill, a cancel or a new resting order changes the book) and shortly after
// each submit or cancel, since a rejection changes no book.
import * as api from './api.js';
import * as fmt from './format.js';

const KEY = 'quant-console-write-key';
const LIVE = new Set(['pending', 'accepted', 'partially_filled', 'dormant', 'triggered', 'modified']);
const ROWS = 50;

export class OrdersView {
  constructor(stream) {
    this.stream = stream;
    this.instruments = new Map();
    this.orders = [];
    this.refreshing = null;
    this.form = document.getElementById('ticket');
    this.form.addEventListener('submit', (event) => { event.preventDefault(); this.submit(); });
    this.form.elements.order_type.addEventListener('change', () => this.showPriceFields());
    this.form.elements.account.addEventListener('change', () => this.refresh().catch((e) => this.problem(e)));
    document.getElementById('key-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const input = document.getElementById('key-input');
      if (input.value.trim()) sessionStorage.setItem(KEY, input.value.trim());
      input.value = '';
      this.showKey();
    });
    document.getElementById('key-forget').addEventListener('click', () => { sessionStorage.removeItem(KEY); this.showKey(); });
  }

  async show() {
    if (!this.instruments.size) await this.loadInstruments();
    this.showKey();
    this.showPriceFields();
    await this.refresh();
  }

  problem(error) {
    this.say(error ? (error.reasons ?? [error.message]) : null, 'problem');
  }

  get key() { return sessionStorage.getItem(KEY); }

  showKey() {
    const key = this.key;
    document.getElementById('key-state').textContent = key
      ? `using key ${key.slice(0, 7)}… (kept in this tab only)` : 'no key: enter one of scope write (quant api-key create --scope write --account …)';
    document.getElementById('key-forget').hidden = !key;
    this.form.querySelector('button[type=submit]').disabled = !key;
  }

  async loadInstruments() {
    const select = this.form.elements.symbol;
    for (const instrument of await api.instruments()) {
      if (instrument.active === false) continue;
      this.instruments.set(instrument.symbol, instrument);
      const option = document.createElement('option');
      option.value = instrument.symbol;
      option.textContent = instrument.symbol;
      select.append(option);
    }
  }

  showPriceFields() {
    const type = this.form.elements.order_type.value;
    this.form.elements.price.disabled = !['limit', 'stop_limit'].includes(type);
    this.form.elements.stop_price.disabled = !['stop', 'stop_limit'].includes(type);
  }

  /** The ticket as a NewOrder body; empty fields are left out, so the API names what is missing. */
  order() {
    const f = this.form.elements;
    const body = { symbol: f.symbol.value, side: f.side.value, order_type: f.order_type.value, time_in_force: f.time_in_force.value };
    body.quantity = Number(f.quantity.value);
    if (!f.price.disabled && f.price.value) body.price = f.price.value;
    if (!f.stop_price.disabled && f.stop_price.value) body.stop_price = f.stop_price.value;
    if (f.account.value.trim()) body.account = f.account.value.trim();
    return body;
  }

  async submit() {
    try {
      const accepted = await api.send('POST', '/orders', { body: this.order(), key: this.key, idempotencyKey: crypto.randomUUID() });
      this.say([`${accepted.order_id}: accepted for processing`], 'ok');
    } catch (error) {
      this.problem(error);
    }
    this.refreshSoon();
  }

  async cancel(order) {
    try {
      await api.send('DELETE', `/orders/${encodeURIComponent(order.order_id)}?symbol=${encodeURIComponent(order.symbol)}`, { key: this.key });
      this.say([`${order.order_id}: cancel sent`], 'ok');
    } catch (error) {
      this.problem(error);
    }
    this.refreshSoon();
  }

  say(lines, kind) {
    const box = document.getElementById('ticket-result');
    box.hidden = !lines;
    box.className = kind === 'problem' ? 'problem' : 'note';
    box.setAttribute('role', kind === 'problem' ? 'alert' : 'status');
    box.replaceChildren(...(lines || []).map((line) => {
      const p = document.createElement('p');
      p.textContent = line;
      return p;
    }));
  }

  /** The processor commits within a batch or two: look again then, and once more later. */
  refreshSoon() {
    for (const ms of [300, 1000, 3000]) setTimeout(() => this.refresh().catch((e) => this.problem(e)), ms);
  }

  async refresh() {
    // At most one read at a time; a change meanwhile asks for one more.
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        const account = this.form.elements.account.value.trim();
        const page = await api.get(`/orders?limit=${ROWS}${account ? `&account=${encodeURIComponent(account)}` : ''}`);
        this.orders = page.orders;
        document.getElementById('blotter-caption').textContent =
          `the newest ${ROWS} orders ${account ? `of account ${account} (the ticket's)` : 'of every account'} (GET /orders)`;
        this.renderBlotter();
        this.follow();
      } finally {
        this.refreshing = null;
        if (this.again) {
          this.again = false;
          this.refresh().catch((e) => this.problem(e));
        }
      }
    })();
    return this.refreshing;
  }

  /** Streams the books of the ticket's symbol and of every symbol with a live order shown. */
  follow() {
    const symbols = new Set([this.form.elements.symbol.value]);
    for (const order of this.orders) if (LIVE.has(order.status)) symbols.add(order.symbol);
    const channels = [...symbols].filter(Boolean).sort().slice(0, 50).map((s) => `book:${s}`);
    if (channels.join() === this.stream.channels.join() && this.stream.shown === 'orders') return;
    this.stream.open(channels, { book: () => this.refresh().catch((e) => this.problem(e)), reload: () => this.refresh() }, 'orders');
  }

  renderBlotter() {
    const rows = this.orders.map((order) => {
      const decimals = fmt.decimalsOf(this.instruments.get(order.symbol)?.tick_size ?? '0.01');
      const tr = document.createElement('tr');
      tr.dataset.orderId = order.order_id;
      const cells = [
        fmt.clock(order.submitted_at), order.order_id, order.symbol, order.side, order.order_type, order.time_in_force,
        fmt.price(order.price ?? order.stop_price, decimals), fmt.quantity(order.quantity), fmt.quantity(order.filled_quantity),
        fmt.price(order.average_price, decimals), order.status, order.reason ?? '',
      ];
      cells.forEach((text, i) => {
        const td = document.createElement('td');
        td.textContent = text;
        if (i === 3) td.className = order.side === 'buy' ? 'up' : 'down';
        if (i === 10) td.className = `status ${order.status}`;
        if (i === 11) td.className = 'text';
        tr.append(td);
      });
      const action = document.createElement('td');
      if (LIVE.has(order.status)) {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = 'Cancel';
        button.setAttribute('aria-label', `Cancel ${order.order_id}`);
        button.disabled = !this.key;
        button.addEventListener('click', () => this.cancel(order));
        action.append(button);
      }
      tr.append(action);
      return tr;
    });
    document.querySelector('#blotter tbody').replaceChildren(...rows);
  }
}
