// One server-sent event stream (GET /api/v1/stream, docs/api.md "Live stream") for the channels
// the current view shows. It reconnects by itself and resumes where it stopped: the browser sends
// Last-Event-ID when it retries on its own; after an HTTP error (a 503 while PostgreSQL is away)
// EventSource gives up, so a new one is opened with ?lastEventId= after a growing pause. The state
// ('connecting', 'live', 'reconnecting') and the time of the last event go to `onState`, so the
// page can say when what it shows may be stale.

const EVENTS = ['subscribed', 'trade', 'quote', 'book', 'risk', 'positions', 'pipeline', 'dropped', 'reload'];

export class LiveStream {
  constructor(onState) {
    this.onState = onState;
    this.source = null;
    this.retry = null;
    this.channels = [];
    this.handlers = {};
    this.lastEventId = null;
    this.lastEventAt = null;
    this.pause = 500;
    this.state = 'idle';
    this.shown = null;
  }

  /**
   * Streams `channels` to `handlers` (keyed by event name) for the view `owner`, replacing what was
   * streamed before; ignored when `owner` is no longer the view shown (`shown`, set by the router):
   * a view finishing work after the user left it must not take the stream from the next one.
   */
  open(channels, handlers, owner) {
    if (owner !== this.shown) return;
    this.close();
    this.channels = channels;
    this.handlers = handlers;
    this.lastEventId = null;
    this.pause = 500;
    if (channels.length) this.connect();
  }

  close() {
    clearTimeout(this.retry);
    this.retry = null;
    if (this.source) this.source.close();
    this.source = null;
    this.setState('idle');
  }

  connect() {
    const query = new URLSearchParams({ channels: this.channels.join(',') });
    if (this.lastEventId) query.set('lastEventId', this.lastEventId);
    const source = new EventSource(`/api/v1/stream?${query}`);
    this.source = source;
    this.setState(this.lastEventId ? 'reconnecting' : 'connecting');
    for (const name of EVENTS) {
      source.addEventListener(name, (event) => this.receive(source, name, event));
    }
    source.onerror = () => {
      if (source !== this.source) return;
      this.setState('reconnecting');
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        this.retry = setTimeout(() => this.connect(), this.pause);
        this.pause = Math.min(this.pause * 2, 10_000);
      }
    };
  }

  receive(source, name, event) {
    if (source !== this.source) return;
    if (event.lastEventId) this.lastEventId = event.lastEventId;
    this.lastEventAt = Date.now();
    if (name === 'subscribed') {
      this.pause = 500;
      this.setState('live');
    } else {
      this.onState(this.state, this.lastEventAt);
    }
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    this.handlers[name]?.(data);
  }

  setState(state) {
    this.state = state;
    this.onState(state, this.lastEventAt);
  }
}
