import { describe, expect, it } from 'vitest';
import { en } from './en';
import { fr } from './fr';
import { detectLang, interpolate, parseLang, pluralKey, toApiLanguage, translate } from './translate';

describe('translate', () => {
  const dictionaries = {
    en: { hello: 'Hello {name}', onlyEn: 'English only' },
    fr: { hello: 'Bonjour {name}' },
  };

  it('uses the wanted language', () => {
    expect(translate('fr', 'hello', { name: 'Ada' }, dictionaries)).toBe('Bonjour Ada');
  });

  it('falls back to English when the key is missing in the language', () => {
    expect(translate('fr', 'onlyEn', undefined, dictionaries)).toBe('English only');
  });

  it('falls back to the key itself when no dictionary has it', () => {
    expect(translate('fr', 'missing.key', undefined, dictionaries)).toBe('missing.key');
  });

  it('uses the help page wording in French', () => {
    expect(translate('fr', 'autoRenew.monthly')).toBe('Mensuel');
    expect(translate('fr', 'autoRenew.yearly')).toBe('Annuel');
    expect(translate('fr', 'autoRenew.save')).toBe('Modifier');
    expect(translate('fr', 'domain.tab.mailboxes')).toBe('Boîtes et redirections mail');
    expect(translate('fr', 'mailbox.manageAutoRenew')).toBe('Gérer le renouvellement automatique');
    expect(translate('fr', 'mailbox.enabled')).toBe('Activé');
    expect(translate('fr', 'mailbox.disabled')).toBe('Désactivé');
    expect(translate('fr', 'mailbox.change')).toBe('Changer');
    expect(translate('fr', 'bulk.autoRenew')).toBe('Renouvellement automatique');
  });
});

describe('dictionaries', () => {
  it('French translates every English key', () => {
    const missing = Object.keys(en).filter((key) => !(key in fr));
    expect(missing).toEqual([]);
  });

  it('use the same placeholders in both languages', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, text] of Object.entries(en)) {
      const french = fr[key as keyof typeof en];
      if (french) expect(placeholders(french), key).toEqual(placeholders(text));
    }
  });
});

describe('helpers', () => {
  it('interpolates and leaves unknown placeholders', () => {
    expect(interpolate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });

  it('picks plural forms per language', () => {
    expect(pluralKey('en', 'k', 1)).toBe('k.one');
    expect(pluralKey('en', 'k', 0)).toBe('k.other');
    expect(pluralKey('fr', 'k', 0)).toBe('k.one');
    expect(pluralKey('fr', 'k', 2)).toBe('k.other');
  });

  it('detects French from the browser language, English otherwise', () => {
    expect(detectLang('fr-FR')).toBe('fr');
    expect(detectLang('FR')).toBe('fr');
    expect(detectLang('en-GB')).toBe('en');
    expect(detectLang('de')).toBe('en');
    expect(detectLang(undefined)).toBe('en');
  });

  it('parses stored values and maps to the API enum', () => {
    expect(parseLang('fr')).toBe('fr');
    expect(parseLang('EN')).toBe('en');
    expect(parseLang('de')).toBeNull();
    expect(toApiLanguage('fr')).toBe('FR');
    expect(toApiLanguage('en')).toBe('EN');
  });
});
