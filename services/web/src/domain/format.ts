import type { Money } from '../app/types';

/**
 * Shows an amount: the API's formatted major amount (`"2200.00"`) with the currency, else the minor
 * units placed by the currency's decimals (2 unless known otherwise). No float arithmetic: string work only.
 */
export function formatMoney(money: Money | null | undefined): string {
  if (!money) return '—';
  const major = money.amount ?? minorToMajor(money.amountMinor, money.currency);
  return `${groupThousands(major)} ${money.currency}`;
}

const ZERO_DECIMALS = new Set(['JPY', 'KRW', 'VND', 'CLP', 'ISK', 'UGX', 'XAF', 'XOF']);

/** `"220000"`, `"USD"` → `"2200.00"` (string arithmetic; negative amounts keep their sign). */
export function minorToMajor(amountMinor: string, currency: string): string {
  const decimals = ZERO_DECIMALS.has(currency) ? 0 : 2;
  const negative = amountMinor.startsWith('-');
  const digits = (negative ? amountMinor.slice(1) : amountMinor).padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals);
  return `${negative ? '-' : ''}${whole}${decimals ? `.${fraction}` : ''}`;
}

/** `"1234567.50"` → `"1,234,567.50"`. */
export function groupThousands(value: string): string {
  const [whole = '', fraction] = value.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const grouped = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}${fraction !== undefined ? `.${fraction}` : ''}`;
}

/** An integer count (number or decimal string) with thousands separators. */
export function formatCount(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return groupThousands(String(value));
}

/** An ISO instant as `2017-11-01 10:20 UTC` (times are always shown in UTC). */
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `2017-10` → `October 2017`. */
export function formatPeriod(period: string): string {
  const match = /^(\d{4})-(\d{2})$/.exec(period);
  if (!match) return period;
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  return `${months[Number(match[2]) - 1] ?? match[2]} ${match[1]}`;
}
