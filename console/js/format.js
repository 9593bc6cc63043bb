// Numbers as traders read them: prices with the instrument's decimals (from its tick size),
// quantities with thousands separators, times in UTC to the millisecond.

const cache = new Map();

function formatter(decimals) {
  if (!cache.has(decimals)) {
    cache.set(decimals, new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }));
  }
  return cache.get(decimals);
}

/** Decimals of a tick size given as the API's decimal string: "0.01" → 2, "0.050" → 2, "1" → 0. */
export function decimalsOf(tickSize) {
  const text = String(tickSize ?? '');
  const point = text.indexOf('.');
  if (point < 0) return 0;
  return text.slice(point + 1).replace(/0+$/, '').length;
}

export function price(value, decimals) {
  if (value === null || value === undefined || value === '') return '—';
  return formatter(decimals).format(Number(value));
}

export function quantity(value) {
  if (value === null || value === undefined || value === '') return '—';
  return formatter(0).format(Number(value));
}

/** "14:03:07.251" from an RFC 3339 time. */
export function clock(ts) {
  const date = new Date(ts);
  if (Number.isNaN(date.getTime())) return '—';
  return date.toISOString().slice(11, 23);
}
