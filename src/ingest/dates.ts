/**
 * Publication dates as pages write them, turned into the knowledge base's YYYY-MM-DD. The day is the one
 * the page's readers saw: a timestamp with a local offset keeps its own calendar day ("2023-06-10T23:30
 * +01:00" is the 10th); a UTC timestamp ("Z", "+00:00", "GMT") is read as a day in Europe/London, where
 * these forces and publishers are ("2023-06-10T23:30:00Z" is 00:30 BST on the 11th).
 */

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T\s](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?';
/** "24 November 2023", "Friday 24th Nov 2023". */
const DAY_MONTH_YEAR = new RegExp(
  `^(?:[a-z]+,?\\s+)?(\\d{1,2})(?:st|nd|rd|th)?\\s+${MONTH},?\\s+(\\d{4})\\b`,
  'i',
);
/** "November 24, 2023". */
const MONTH_DAY_YEAR = new RegExp(
  `^(?:[a-z]+,?\\s+)?${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`,
  'i',
);

const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Europe/London calendar day of an instant. */
export function londonDay(instant: Date): string {
  const parts = Object.fromEntries(LONDON.formatToParts(instant).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

function ymd(y: string | number, m: string | number, d: string | number): string | null {
  const out = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const t = new Date(`${out}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(out) ? out : null;
}

/**
 * A page's date string as YYYY-MM-DD, or null when it is not a date we can read with certainty.
 *
 * @example normaliseDate('2023-11-24T07:05:00+00:00') // '2023-11-24'
 * @example normaliseDate('2023-06-10T23:30:00Z') // '2023-06-11' (00:30 in London)
 */
export function normaliseDate(raw: string): string | null {
  const text = raw.trim();
  const iso = ISO.exec(text.replace(/^(\d{4})\/(\d{2})\/(\d{2})/, '$1-$2-$3'));
  if (iso) {
    const [, y = '', m = '', d = '', hh, mm, ss, offset] = iso;
    const day = ymd(y, m, d);
    if (!day) return null;
    if (hh === undefined || !offset) return day;
    if (!/^(?:z|[+-]00(?::?00)?)$/i.test(offset)) return day;
    const instant = new Date(`${day}T${hh}:${mm}:${ss ?? '00'}Z`);
    return Number.isNaN(instant.getTime()) ? day : londonDay(instant);
  }
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (compact) return ymd(compact[1] ?? '', compact[2] ?? '', compact[3] ?? '');
  if (/\d{1,2}:\d{2}(?::\d{2})?\s*(?:gmt|utc|z|\+0000)$/i.test(text)) {
    const instant = new Date(text);
    if (!Number.isNaN(instant.getTime())) return londonDay(instant);
  }
  const dmy = DAY_MONTH_YEAR.exec(text);
  if (dmy) return ymd(dmy[3] ?? '', MONTHS.indexOf((dmy[2] ?? '').toLowerCase()) + 1, dmy[1] ?? '');
  const mdy = MONTH_DAY_YEAR.exec(text);
  if (mdy) return ymd(mdy[3] ?? '', MONTHS.indexOf((mdy[1] ?? '').toLowerCase()) + 1, mdy[2] ?? '');
  return null;
}
