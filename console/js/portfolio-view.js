// The portfolio view (docs/console.md): the latest risk run (GET /risk/metrics/{id}, then each
// risk:PORTFOLIO event) with VaR and ES per method, confidence and horizon, its history as a chart,
// the Greeks and each position's component VaR and ES; the positions with their P&L
// (GET /portfolios/{id}/positions, then positions:PORTFOLIO events); the P&L of the portfolio's
// trading accounts (GET /portfolios/{id}/pnl); and the stress results stored with the run.
import * as api from './api.js';
import * as fmt from './format.js';

const MONEY = 2;
const HISTORY = 500;
const METHOD_NAMES = { historical: 'historical', parametric: 'parametric', monte_carlo: 'Monte Carlo' };

export class PortfolioView {
  constructor(stream) {
    this.stream = stream;
    this.portfolios = [];
    this.id = null;
    this.history = [];
    this.select = document.getElementById('portfolio-select');
    this.select.addEventListener('change', () => { location.hash = `#/portfolio/${encodeURIComponent(this.select.value)}`; });
  }

  async show(id) {
    if (!this.portfolios.length) await this.loadPortfolios();
    const chosen = this.portfolios.includes(id) ? id : this.portfolios[0];
    if (!chosen) return this.problem(new Error('no portfolios: create one (POST /api/v1/portfolios) or run the demo'));
    if (chosen === this.id && this.stream.channels.includes(`risk:${chosen}`)) return;
    this.id = chosen;
    this.select.value = chosen;
    this.problem(null);
    this.stream.open([`risk:${chosen}`, `positions:${chosen}`], {
      risk: (risk) => this.receiveRun(risk),
      positions: (positions) => this.renderPositions(positions),
      reload: () => this.load().catch((e) => this.problem(e)),
    }, 'portfolio');
    await this.load();
  }

  async load() {
    const id = encodeURIComponent(this.id);
    const [risk, positions, pnl, stress, backtest] = await Promise.all([
      optional(api.get(`/risk/metrics/${id}?history=true&limit=${HISTORY}`)),
      api.get(`/portfolios/${id}/positions`),
      optional(api.get(`/portfolios/${id}/pnl?limit=${HISTORY}`)),
      optional(api.get(`/risk/portfolios/${id}/stresstest`)),
      api.get(`/risk/portfolios/${id}/backtest`),
    ]);
    this.history = (risk?.history || []).slice().reverse();
    this.renderRun(risk);
    this.renderPositions(positions);
    this.renderPnL(pnl);
    this.renderStress(stress);
    this.renderBacktest(backtest);
  }

  async loadPortfolios() {
    const page = await api.get('/portfolios?limit=1000');
    this.portfolios = page.portfolios.map((p) => p.portfolio_id);
    this.select.replaceChildren(...page.portfolios.map((p) => {
      const option = document.createElement('option');
      option.value = p.portfolio_id;
      option.textContent = `${p.portfolio_id} · ${p.name} (${p.base_currency})`;
      return option;
    }));
  }

  problem(error) {
    const box = document.getElementById('portfolio-error');
    box.hidden = !error;
    box.textContent = error ? `Could not load: ${error.message}${error.status ? ` (HTTP ${error.status})` : ''}` : '';
  }

  /** A new run: its metrics join the history chart; the P&L and stress results are read again. */
  receiveRun(risk) {
    if (risk.portfolio_id !== this.id) return;
    for (const metric of risk.metrics || []) this.history.push({ ...metric, computed_at: risk.computed_at });
    this.history = this.history.slice(-HISTORY * 4);
    this.renderRun(risk);
    const id = encodeURIComponent(this.id);
    optional(api.get(`/risk/portfolios/${id}/stresstest`)).then((s) => this.renderStress(s)).catch((e) => this.problem(e));
    optional(api.get(`/portfolios/${id}/pnl?limit=${HISTORY}`)).then((p) => this.renderPnL(p)).catch((e) => this.problem(e));
    api.get(`/risk/portfolios/${id}/backtest`).then((b) => this.renderBacktest(b)).catch((e) => this.problem(e));
  }

  /** Per method and confidence, the days tested and the exceptions against the expected count. */
  renderBacktest(backtest) {
    const summary = backtest?.summary || [];
    document.getElementById('backtest-caption').textContent = summary.length
      ? 'the 1-day VaR of the last run of each as-of day against the change of the portfolio value to the next as-of day (analytics.var_exceptions)'
      : 'no backtest yet: it needs stored runs on two as-of days';
    document.querySelector('#backtest-summary tbody').replaceChildren(...summary.map((s) => row([
      METHOD_NAMES[s.method] ?? s.method, percent(s.confidence), fmt.quantity(s.days), fmt.quantity(s.exceptions),
      fmt.price(s.expected_exceptions, 1), pValue(s.kupiec_p_value), pValue(s.independence_p_value),
    ], [null, null, 'num', s.exceptions > Math.max(1, 2 * s.expected_exceptions) ? 'num down' : 'num', 'num',
      s.kupiec_p_value < 0.05 ? 'num down' : 'num', s.independence_p_value < 0.05 ? 'num down' : 'num'])));
    document.querySelector('#backtest-exceptions tbody').replaceChildren(...(backtest?.days || []).filter((d) => d.exception).map((d) => row([
      d.as_of, d.next_as_of, METHOD_NAMES[d.method] ?? d.method, percent(d.confidence), fmt.price(d.var, MONEY), fmt.price(d.pnl, MONEY),
    ], [null, null, null, null, 'num', 'num down'])));
  }

  renderRun(risk) {
    const summary = document.getElementById('run-summary');
    if (!risk) {
      summary.textContent = 'no risk run stored yet: the risk engine values the portfolio on its next cycle';
      document.querySelector('#risk-table tbody').replaceChildren();
      document.querySelector('#greeks').replaceChildren();
      return;
    }
    summary.textContent = `value ${fmt.price(risk.portfolio_value, MONEY)} · as of ${risk.as_of ?? '—'} · computed ${fmt.clock(risk.computed_at)} UTC · run ${risk.run_id ?? '—'}`;
    summary.dataset.computedAt = risk.computed_at ?? '';
    const metrics = [...(risk.metrics || [])].sort((a, b) =>
      a.horizon_days - b.horizon_days || Number(b.confidence) - Number(a.confidence) || a.method.localeCompare(b.method));
    document.querySelector('#risk-table tbody').replaceChildren(...metrics.map((m) => row([
      METHOD_NAMES[m.method] ?? m.method, percent(m.confidence), `${m.horizon_days} d`,
      fmt.price(m.var, MONEY), fmt.price(m.expected_shortfall, MONEY),
    ], [null, null, null, 'num', 'num'])));
    const greeks = risk.greeks || {};
    document.getElementById('greeks').replaceChildren(...['delta', 'gamma', 'vega', 'theta', 'rho'].map((name) => {
      const item = document.createElement('div');
      const label = document.createElement('dt');
      label.textContent = name;
      const value = document.createElement('dd');
      value.textContent = greeks[name] === undefined || greeks[name] === null ? '—' : fmt.price(greeks[name], 2);
      item.append(label, value);
      return item;
    }));
    this.renderComponents(risk);
    this.renderHistory();
  }

  /** Component VaR and ES of each position for the headline measure (1 day, highest confidence). */
  renderComponents(risk) {
    const parts = risk.positions || [];
    const headline = parts.filter((p) => p.horizon_days === 1 && p.method === 'historical');
    const top = Math.max(0, ...headline.map((p) => Number(p.confidence)));
    const chosen = headline.filter((p) => Number(p.confidence) === top);
    document.getElementById('components-caption').textContent = chosen.length
      ? `historical, ${percent(top)}, 1 day; components sum to the portfolio's VaR and ES` : 'no component measures in this run';
    document.querySelector('#components tbody').replaceChildren(...chosen
      .sort((a, b) => b.component_es - a.component_es)
      .map((p) => row([p.position_id, fmt.price(p.component_var, MONEY), fmt.price(p.component_es, MONEY),
        p.incremental_es === undefined || p.incremental_es === null ? '—' : fmt.price(p.incremental_es, MONEY)],
      [null, 'num', 'num', 'num'])));
  }

  /** VaR over time: one line per method at 1 day and the highest confidence stored. */
  renderHistory() {
    const element = document.getElementById('var-chart');
    const daily = this.history.filter((m) => m.horizon_days === 1);
    const top = Math.max(0, ...daily.map((m) => Number(m.confidence)));
    const methods = [...new Set(daily.map((m) => m.method))].sort();
    const byTime = new Map();
    for (const m of daily.filter((x) => Number(x.confidence) === top)) {
      const at = m.computed_at;
      if (!byTime.has(at)) byTime.set(at, new Array(methods.length).fill(null));
      byTime.get(at)[methods.indexOf(m.method)] = Number(m.var);
    }
    const points = [...byTime.entries()].map(([at, values]) => [new Date(at), ...values]).sort((a, b) => a[0] - b[0]);
    document.getElementById('var-caption').textContent = points.length
      ? `1-day VaR at ${percent(top)}, ${fmt.quantity(points.length)} runs` : 'no history yet';
    if (points.length < 1) {
      this.chart?.destroy();
      this.chart = null;
      return;
    }
    const options = {
      labels: ['Time', ...methods.map((m) => METHOD_NAMES[m] ?? m)], labelsUTC: true, legend: 'always', labelsSeparateLines: true,
      colors: ['#0969da', '#8250df', '#bf8700'],
      axes: { y: { valueFormatter: (v) => fmt.price(v, MONEY), axisLabelFormatter: (v) => fmt.price(v, 0) } },
      connectSeparatedPoints: true, drawPoints: points.length < 30, animatedZooms: false,
    };
    if (this.chart) this.chart.updateOptions({ ...options, file: points });
    else this.chart = new Dygraph(element, points, options);
  }

  renderPositions(list) {
    if (!list || list.portfolio_id !== this.id) return;
    document.querySelector('#positions tbody').replaceChildren(...list.positions.map((p) => row([
      p.symbol, p.kind, fmt.price(p.quantity, decimals(p.quantity)), fmt.price(p.average_price, priceDecimals(p.average_price)),
      fmt.price(p.mark, priceDecimals(p.mark)),
      fmt.price(p.unrealized_pnl, MONEY), fmt.price(p.realized_pnl, MONEY),
    ], [null, null, 'num', 'num', 'num', signClass(p.unrealized_pnl), signClass(p.realized_pnl)])));
  }

  renderPnL(pnl) {
    const text = document.getElementById('pnl-summary');
    if (!pnl) {
      text.textContent = 'no trading accounts';
      return;
    }
    const c = pnl.current;
    text.textContent = `trading P&L ${fmt.price(c.total_pnl, MONEY)} (realized ${fmt.price(c.realized_pnl, MONEY)}, unrealized ${fmt.price(c.unrealized_pnl, MONEY)}) over ${fmt.quantity(c.positions)} account positions`;
  }

  renderStress(stress) {
    const results = stress?.results || [];
    document.getElementById('stress-caption').textContent = stress?.computed_at
      ? `stored with the run of ${fmt.clock(stress.computed_at)} UTC` : 'no stress results stored yet';
    document.querySelector('#stress tbody').replaceChildren(...[...results].sort((a, b) => a.pnl - b.pnl).map((r) => row([
      r.scenario, r.description ?? '', fmt.price(r.stressed_value, MONEY), fmt.price(r.pnl, MONEY),
    ], [null, 'text', 'num', `num ${signClass(r.pnl)}`])));
  }
}

/** A read that may find nothing yet (404): null instead of an error. */
async function optional(request) {
  try {
    return await request;
  } catch (error) {
    if (error.status === 404) return null;
    throw error;
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

function percent(confidence) {
  return `${fmt.price(Number(confidence) * 100, Number(confidence) * 100 % 1 ? 1 : 0)} %`;
}

/** A test's p-value; red below 5 % (the model is rejected at that level). */
function pValue(value) {
  return value === undefined || value === null ? '—' : fmt.price(value, 3);
}

function decimals(text) {
  return fmt.decimalsOf(text);
}

/** A price as stored (trailing zeros trimmed by the API), never fewer than 2 decimals. */
function priceDecimals(text) {
  return Math.max(2, fmt.decimalsOf(text));
}

function signClass(value) {
  const n = Number(value);
  return n > 0 ? 'num up' : n < 0 ? 'num down' : 'num';
}
