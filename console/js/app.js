// The console's entry (docs/console.md): routes #/view/… to its view, and keeps the header's
// live indicator true: connected and when the last event came, or reconnecting and since when.
import { LiveStream } from './stream.js';
import { OrdersView } from './orders-view.js';
import { PipelineView } from './pipeline-view.js';
import { PortfolioView } from './portfolio-view.js';
import { SymbolView } from './symbol-view.js';

const live = document.getElementById('live');
const liveState = document.getElementById('live-state');
const liveAge = document.getElementById('live-age');
let state = 'connecting';
let lastEventAt = null;
let since = Date.now();

function showLive() {
  const ago = lastEventAt ? Math.round((Date.now() - lastEventAt) / 1000) : null;
  const waited = Math.round((Date.now() - since) / 1000);
  live.dataset.state = state;
  document.body.classList.toggle('stale', state === 'reconnecting' && waited >= 2);
  // Only the state is announced (role=status); the seconds tick in a span of their own.
  const text = { live: 'live', reconnecting: 'reconnecting: what is shown may be stale', connecting: 'connecting…' }[state] ?? 'not streaming';
  if (liveState.textContent !== text) liveState.textContent = text;
  if (state === 'live') liveAge.textContent = ago === null ? '' : `· last event ${ago} s ago`;
  else if (state === 'reconnecting') liveAge.textContent = `· for ${waited} s`;
  else liveAge.textContent = '';
}

const stream = new LiveStream((next, at) => {
  if (next !== state) since = Date.now();
  state = next;
  lastEventAt = at;
  showLive();
});
setInterval(showLive, 1000);

const views = {
  symbol: new SymbolView(stream), portfolio: new PortfolioView(stream), orders: new OrdersView(stream), pipeline: new PipelineView(stream),
};

function route() {
  const [, name = 'symbol', argument = ''] = location.hash.split('/');
  const view = views[name] ? name : 'symbol';
  stream.shown = view;
  for (const section of document.querySelectorAll('.view')) section.hidden = section.id !== `view-${view}`;
  for (const link of document.querySelectorAll('nav a')) {
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  views[view].show(decodeURIComponent(argument)).catch((error) => views[view].problem(error));
}

window.addEventListener('hashchange', route);
window.addEventListener('DOMContentLoaded', route);
