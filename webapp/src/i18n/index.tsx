// Every string the app shows goes through t(): one table per locale (en.ts is the source;
// zh-CN.ts must have every key, which TypeScript checks). Dates, numbers and money are
// formatted by Intl for the chosen locale; money in the currency the amount carries.
import { createContext, useContext, useMemo, useState, type ReactNode } from "react";
import { en, type MessageKey } from "./en";
import { zhCN } from "./zh-CN";

export type Locale = "zh-CN" | "en";
export const LOCALES: Locale[] = ["zh-CN", "en"];
const TABLES: Record<Locale, Record<MessageKey, string>> = { en, "zh-CN": zhCN };
const LOCALE_KEY = "fixhub.locale";

export function browserLocale(): Locale {
  const saved = localStorage.getItem(LOCALE_KEY);
  if (saved === "en" || saved === "zh-CN") return saved;
  for (const language of navigator.languages ?? [navigator.language]) {
    if (language.toLowerCase().startsWith("zh")) return "zh-CN";
    if (language.toLowerCase().startsWith("en")) return "en";
  }
  return "en";
}

export type Vars = Record<string, string | number>;

export type I18n = {
  locale: Locale;
  setLocale: (locale: Locale) => void;
  t: (key: MessageKey, vars?: Vars) => string;
  money: (cents: number, currency: string) => string;
  number: (value: number, digits?: number) => string;
  km: (value: number) => string;
  date: (iso: string) => string;
  dateTime: (iso: string) => string;
};

export function makeI18n(locale: Locale, setLocale: (locale: Locale) => void): I18n {
  const table = TABLES[locale];
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
  const kilometres = new Intl.NumberFormat(locale, {
    style: "unit",
    unit: "kilometer",
    maximumFractionDigits: 1,
  });
  const moneyFormats = new Map<string, Intl.NumberFormat>();
  return {
    locale,
    setLocale,
    t(key, vars) {
      const text = table[key];
      if (text === undefined) {
        // Visible on purpose: the browser tests look for this marker in both locales.
        console.error(`missing translation: ${locale} ${key}`);
        return `⟦${key}⟧`;
      }
      return vars ? text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? "")) : text;
    },
    money(cents, currency) {
      let format = moneyFormats.get(currency);
      if (!format) {
        format = new Intl.NumberFormat(locale, { style: "currency", currency });
        moneyFormats.set(currency, format);
      }
      return format.format(cents / 100);
    },
    number: (value, digits = 1) =>
      new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value),
    km: (value) => kilometres.format(value),
    date: (iso) => date.format(new Date(iso)),
    dateTime: (iso) => dateTime.format(new Date(iso)),
  };
}

const Context = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(browserLocale);
  const value = useMemo(
    () =>
      makeI18n(locale, (next) => {
        localStorage.setItem(LOCALE_KEY, next);
        document.documentElement.lang = next;
        setLocaleState(next);
      }),
    [locale],
  );
  document.documentElement.lang = locale;
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(Context);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}
