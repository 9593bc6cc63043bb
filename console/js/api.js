// The REST API under /api/v1 (docs/api.md). A failed request throws a Problem carrying the
// problem-details body the API answers with, so views can show its reason.

export class Problem extends Error {
  constructor(status, body) {
    super(body?.detail || body?.title || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }

  /** The reason in full: the detail, then each field's reason (a 422 lists them all). */
  get reasons() {
    const fields = (this.body?.errors || []).map((e) => `${e.field}: ${e.reason}`);
    return [this.message, ...fields];
  }
}

// `no-cache`: the views render what a stream event announced, so a read must not be answered by a
// body the API's read cache knows is stale (docs/api.md, "Read cache").
export async function get(path, { signal } = {}) {
  const headers = { Accept: 'application/json', 'Cache-Control': 'no-cache' };
  const response = await fetch(`/api/v1${path}`, { headers, signal });
  if (!response.ok) throw new Problem(response.status, await bodyOf(response));
  return response.json();
}

async function bodyOf(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** Every instrument, following the list's cursor. */
export async function instruments() {
  const all = [];
  let cursor = '';
  do {
    const page = await get(`/instruments?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    all.push(...page.instruments);
    cursor = page.next_cursor || '';
  } while (cursor);
  return all;
}

/** A write with the API key the user entered (scope write), as JSON; answers the JSON body, if any. */
export async function send(method, path, { body, key, idempotencyKey } = {}) {
  const headers = { Accept: 'application/json', Authorization: `Bearer ${key}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  const response = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const answer = await bodyOf(response);
  if (!response.ok) throw new Problem(response.status, answer);
  return answer;
}
