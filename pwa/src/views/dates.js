// Dates as the team sees them: in Amsterdam, Dutch month abbreviations
// ("3 nov 2026, 10:15"), whatever the device's time zone or language.

const TZ = 'Europe/Amsterdam';
const MONTHS = ['jan', 'feb', 'mrt', 'apr', 'mei', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'];
const DAY = 86_400_000;

const PARTS = new Intl.DateTimeFormat('nl-NL', {
  timeZone: TZ, year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

/** The date and time in Amsterdam: {year, month, day, time, dayNo} (dayNo: days since 1970-01-01); null if not a date. */
export function local(value) {
  const date = new Date(value);
  if (value == null || Number.isNaN(date.getTime())) return null;
  const p = Object.fromEntries(PARTS.formatToParts(date).map((x) => [x.type, x.value]));
  const [year, month, day] = [Number(p.year), Number(p.month), Number(p.day)];
  return { year, month, day, time: `${p.hour}:${p.minute}`, dayNo: Date.UTC(year, month - 1, day) / DAY };
}

/** "3 nov" */
export const dayMonth = (d) => `${d.day} ${MONTHS[d.month - 1]}`;
/** "3 nov 2026" */
export const fullDate = (d) => `${dayMonth(d)} ${d.year}`;

/** "3 nov 2026, 10:15" (Amsterdam time); null without a date. */
export function dateTime(value) {
  const d = local(value);
  return d ? `${fullDate(d)}, ${d.time}` : null;
}

/** "3 nov – 17 nov 2026", "28 dec 2025 – 3 jan 2026", "3 nov 2026"; null without dates. */
export function dateRange(first, last) {
  const a = local(first);
  const b = local(last ?? first);
  if (!a || !b) return null;
  if (a.dayNo === b.dayNo) return fullDate(a);
  return `${a.year === b.year ? dayMonth(a) : fullDate(a)} – ${fullDate(b)}`;
}
