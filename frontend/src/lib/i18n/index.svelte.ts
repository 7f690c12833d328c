import { formatIsoDate } from '../dates';
import { formatCents } from '../money';
import type { MessageKey } from './en';
import { detectLang, parseLang, pluralKey, translate, type Lang, type Params } from './translate';

export { LANGS, type Lang } from './translate';
export type { MessageKey } from './en';

const STORAGE_KEY = 'mailrenew.lang';

function initialLang(): Lang {
  if (typeof window === 'undefined') return 'en';
  return parseLang(localStorage.getItem(STORAGE_KEY)) ?? detectLang(navigator.language);
}

const state = $state({ lang: initialLang() });

export function getLang(): Lang {
  return state.lang;
}

/** Changes the UI language, remembers it and keeps `<html lang>` in step. */
export function setLang(lang: Lang): void {
  state.lang = lang;
  if (typeof window !== 'undefined') {
    localStorage.setItem(STORAGE_KEY, lang);
    document.documentElement.lang = lang;
  }
}

/** Reactive translation: reading `state.lang` makes every caller re-render on a language change. */
export function t(key: MessageKey, params?: Params): string {
  return translate(state.lang, key, params);
}

export function tn(key: string, count: number, params: Params = {}): string {
  return translate(state.lang, pluralKey(state.lang, key, count), { count, ...params });
}

/** Dates from the API are `YYYY-MM-DD`: formatted as calendar dates, never shifted by the time zone. */
export function formatDate(isoDate: string | null | undefined): string {
  if (!isoDate) return translate(state.lang, 'common.none');
  return formatIsoDate(state.lang, isoDate);
}

/** Date-times from the API (ISO with offset), in the browser's time zone: "25 nov. 2026, 08:17". */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return translate(state.lang, 'common.none');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(state.lang, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function formatMoney(cents: number, currency = 'EUR'): string {
  return formatCents(state.lang, cents, currency);
}

/** "+10,00 €" for a credit, "-15,00 €" for a debit. */
export function formatSignedMoney(cents: number, currency = 'EUR'): string {
  return formatCents(state.lang, cents, currency, { signed: true });
}
