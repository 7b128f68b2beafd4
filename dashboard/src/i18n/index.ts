import { createStore, useStore } from '../store.ts';
import { en, type MessageKey } from './en.ts';
import { mn } from './mn.ts';
import { zh } from './zh.ts';

export type Lang = 'zh' | 'mn' | 'en';
export type { MessageKey };
export const LANGS: readonly Lang[] = ['zh', 'mn', 'en'];
export const DICTS: Record<Lang, Record<MessageKey, string>> = { zh, mn, en };
/** Each language's name in itself, for the switcher. */
export const LANG_NAMES: Record<Lang, string> = { zh: '中文', mn: 'ᠮᠣᠩᠭᠣᠯ', en: 'English' };
/** BCP 47 tags for the `lang` attribute (fonts and line breaking follow it). */
export const LANG_TAGS: Record<Lang, string> = { zh: 'zh-CN', mn: 'mn-Mong', en: 'en' };

const STORAGE_KEY = 'steppelink.lang';
const isLang = (v: unknown): v is Lang => v === 'zh' || v === 'mn' || v === 'en';

function initialLang(): Lang {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (isLang(saved)) return saved;
  } catch {
    // storage may be disabled (private mode); fall back to Chinese
  }
  return 'zh';
}

export const langStore = createStore<Lang>(initialLang());

/** Switches the language and remembers the choice on this screen. */
export function setLang(lang: Lang, remember = true): void {
  langStore.set(lang);
  if (remember) {
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, lang);
    } catch {
      // not remembered; still switched
    }
  }
}

/** True when the person chose a language on this screen (it then wins over their profile). */
export function langWasChosen(): boolean {
  try {
    return isLang(globalThis.localStorage?.getItem(STORAGE_KEY));
  } catch {
    return false;
  }
}

/** Fills `{name}` placeholders. */
export function interpolate(text: string, vars?: Record<string, string | number>): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

export type Translate = ((key: MessageKey, vars?: Record<string, string | number>) => string) & {
  lang: Lang;
  /** A key built at run time (category, state, role...): falls back to `fallback` when unknown. */
  dyn(key: string, fallback: string): string;
};

export function translator(lang: Lang): Translate {
  const dict = DICTS[lang];
  const t = ((key: MessageKey, vars?: Record<string, string | number>) =>
    interpolate(dict[key] ?? en[key] ?? key, vars)) as Translate;
  t.lang = lang;
  t.dyn = (key, fallback) => (key in dict ? dict[key as MessageKey] : fallback);
  return t;
}

/** The translator for the current language; re-renders on a switch. */
export function useT(): Translate {
  return translator(useStore(langStore));
}

/** Picks the text of `lang` from a `{ zh, mn, en }` object the hub sent. */
export function pick(texts: Partial<Record<Lang, string>> | null | undefined, lang: Lang): string {
  if (!texts) return '';
  return texts[lang] || texts.zh || texts.en || texts.mn || '';
}
