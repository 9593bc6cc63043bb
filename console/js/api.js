// The REST API under /api/v1 (docs/api.md). A failed request throws a Problem carrying the
// problem-details body the API answers with, so views can show its reason.

export class Problem extends Error {
  constructor(status, body) {
    super(body?.detail || body?.title || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function get(path, { signal } = {}) {
  const response = await fetch(`/api/v1${path}`, { headers: { Accept: 'application/json' }, signal });
  if (!response.ok) throw new Problem(response.status, await body(response));
  return response.json();
}

async function body(response) {
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
