import { en, type Dictionary, type MessageKey } from './en';
import { fr } from './fr';

export type Lang = 'fr' | 'en';
export const LANGS: readonly Lang[] = ['fr', 'en'];
export const DICTIONARIES: Record<Lang, Partial<Dictionary>> = { en, fr };
export type Params = Record<string, string | number>;

/** Replaces `{name}` placeholders; unknown placeholders are left as they are. */
export function interpolate(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/**
 * Looks a key up in the wanted language, then in English, then returns the key itself, so a missing
 * translation shows something readable instead of breaking the screen.
 */
export function translate(
  lang: Lang,
  key: MessageKey | string,
  params?: Params,
  dictionaries: Record<Lang, Partial<Record<string, string>>> = DICTIONARIES,
): string {
  const template = dictionaries[lang]?.[key] ?? dictionaries.en?.[key] ?? key;
  return interpolate(template, params);
}

/** `key.one` or `key.other`; French treats 0 and 1 as singular, English only 1. */
export function pluralKey(lang: Lang, key: string, count: number): string {
  const one = lang === 'fr' ? count === 0 || count === 1 : count === 1;
  return `${key}.${one ? 'one' : 'other'}`;
}

/** fr when the browser's language starts with fr, else en. */
export function detectLang(browserLanguage: string | undefined | null): Lang {
  return browserLanguage?.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

export function parseLang(value: string | null | undefined): Lang | null {
  const lower = value?.toLowerCase();
  return lower === 'fr' || lower === 'en' ? lower : null;
}

/** The API's `Language` enum value (FR, EN) for a UI language. */
export function toApiLanguage(lang: Lang): 'FR' | 'EN' {
  return lang === 'fr' ? 'FR' : 'EN';
}
