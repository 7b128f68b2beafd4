import { LANG_NAMES, LANG_TAGS, LANGS, langStore, setLang } from '../i18n/index.ts';
import { useStore } from '../store.ts';

/** 中文 / ᠮᠣᠩᠭᠣᠯ / English, each written in itself. */
export function LangSwitch() {
  const current = useStore(langStore);
  return (
    <fieldset class="lang-switch" aria-label="Language / 语言 / ᠬᠡᠯᠡ">
      {LANGS.map((l) => (
        <button
          type="button"
          key={l}
          lang={LANG_TAGS[l]}
          aria-pressed={l === current}
          data-lang={l}
          onClick={() => setLang(l)}
        >
          {LANG_NAMES[l]}
        </button>
      ))}
    </fieldset>
  );
}
