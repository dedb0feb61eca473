/** Money from the API: a decimal string and its currency. Never parsed to a float for display. */
export interface Money {
  amount: string;
  currency: string;
}

/** "1234567.5" → "1,234,567.5": digits grouped, the exact decimals kept. */
export function groupDigits(amount: string): string {
  const negative = amount.startsWith('-');
  const [whole = '0', fraction] = (negative ? amount.slice(1) : amount).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '−' : ''}${grouped}${fraction !== undefined ? `.${fraction}` : ''}`;
}

export function formatMoney(money: Money | null | undefined): string {
  if (!money) return '—';
  return `${groupDigits(money.amount)} ${money.currency}`;
}

/** For charts only (an axis needs numbers); totals shown as text stay exact. */
export function chartNumber(money: Money): number {
  return Number(money.amount);
}

export function isNegative(money: Money): boolean {
  return money.amount.startsWith('-');
}

export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${Math.round(rate * 100)}%`;
}

export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
