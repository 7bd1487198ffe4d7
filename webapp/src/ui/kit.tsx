// Small building blocks: labelled fields, buttons, error text, star ratings, category icons.
import { useId, type ReactNode, type InputHTMLAttributes, type SelectHTMLAttributes } from "react";
import type { CombinedError } from "urql";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";

export function Page({ title, children, actions }: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section className="page" aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title" tabIndex={-1}>
          {title}
        </h1>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function Card({ title, children, className = "" }: {
  title?: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <section className={`card ${className}`}>
      {title && <h2>{title}</h2>}
      {children}
    </section>
  );
}

type FieldProps = InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string };

export function Field({ label, hint, ...input }: FieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

export function TextArea({ label, ...area }: { label: string } & React.TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} rows={3} {...area} />
    </div>
  );
}

export function Select({ label, children, ...select }: {
  label: string;
  children: ReactNode;
} & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} {...select}>
        {children}
      </select>
    </div>
  );
}

export function ErrorText({ error }: { error?: CombinedError | string | null }) {
  const { t } = useI18n();
  if (!error) return null;
  if (typeof error === "string") {
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  }
  if (error.networkError && !error.graphQLErrors.length) {
    return (
      <p className="error" role="alert">
        {t("error.network")}
      </p>
    );
  }
  return (
    <div className="error" role="alert">
      {error.graphQLErrors.map((e, i) => {
        const code = String(e.extensions?.code ?? "INTERNAL");
        const known = `error.${code}` as MessageKey;
        return (
          <p key={i}>
            <strong>{t(KNOWN_CODES.has(code) ? known : "error.INTERNAL")}</strong>{" "}
            <span lang="en">{e.message}</span>
          </p>
        );
      })}
    </div>
  );
}

const KNOWN_CODES = new Set([
  "BAD_USER_INPUT",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "INVALID_STATE",
  "RATE_LIMITED",
  "INTERNAL",
]);

export function Stars({ value, count }: { value: number | null | undefined; count?: number }) {
  const { t, number } = useI18n();
  if (value == null) return <span className="muted">{t("rating.none")}</span>;
  return (
    <span className="stars" aria-label={t("rating.label", { value: number(value), count: count ?? 0 })}>
      <span aria-hidden="true">{"★".repeat(Math.round(value))}{"☆".repeat(5 - Math.round(value))}</span>{" "}
      <span aria-hidden="true">
        {number(value)}
        {count !== undefined && ` (${count})`}
      </span>
    </span>
  );
}

export function RatingInput({ label, value, onChange }: {
  label: string;
  value: number;
  onChange: (value: number) => void;
}) {
  const name = useId();
  return (
    <fieldset className="rating-input">
      <legend>{label}</legend>
      {[1, 2, 3, 4, 5].map((n) => (
        <label key={n} className="star-choice">
          <input type="radio" name={name} value={n} checked={value === n} onChange={() => onChange(n)} />
          <span>{n}★</span>
        </label>
      ))}
    </fieldset>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  return <span className={`badge badge-${status.toLowerCase()}`}>{t(`status.${status}` as MessageKey)}</span>;
}

export const CATEGORIES = [
  "WALLS_FLOORS",
  "CLEANING",
  "WATER_ELECTRICAL",
  "DOORS_WINDOWS",
  "PIPES",
  "APPLIANCES",
] as const;
export type Category = (typeof CATEGORIES)[number];

const ICON_PATHS: Record<Category, ReactNode> = {
  WALLS_FLOORS: <path d="M3 5h18v14H3zM3 10h18M3 15h18M9 5v5M15 10v5M9 15v4" />,
  CLEANING: <path d="M14 3l-4 9M6 12h8l2 9H4zM18 4l1 2 2 1-2 1-1 2-1-2-2-1 2-1z" />,
  WATER_ELECTRICAL: <path d="M13 2L5 14h6l-1 8 8-12h-6z" />,
  DOORS_WINDOWS: <path d="M6 3h12v18H6zM15 12h.01M3 21h18" />,
  PIPES: <path d="M3 8h9a4 4 0 0 1 4 4v9M3 4v8M20 21h-8" />,
  APPLIANCES: <path d="M5 3h14v18H5zM5 7h14M12 10a4 4 0 1 0 0 8 4 4 0 0 0 0-8z" />,
};

export function CategoryIcon({ category }: { category: string }) {
  return (
    <svg className="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
      <g fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
        {ICON_PATHS[category as Category] ?? <circle cx="12" cy="12" r="8" />}
      </g>
    </svg>
  );
}

export function CategoryLabel({ category }: { category: string }) {
  const { t } = useI18n();
  return (
    <span className="category">
      <CategoryIcon category={category} />
      {t(`category.${category}` as MessageKey)}
    </span>
  );
}

/** A datetime-local input's value (local time) as an ISO instant, or null. */
export function localToIso(value: string): string | null {
  return value ? new Date(value).toISOString() : null;
}

export function isoToLocalInput(iso: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${iso.getFullYear()}-${pad(iso.getMonth() + 1)}-${pad(iso.getDate())}T${pad(iso.getHours())}:${pad(iso.getMinutes())}`;
}

/** "123.45" typed by a person -> 12345 cents; null when empty or not a number. */
export function parseCents(value: string): number | null {
  const cleaned = value.replace(/[,\s]/g, "");
  if (!cleaned) return null;
  const amount = Number(cleaned);
  return Number.isFinite(amount) ? Math.round(amount * 100) : null;
}
