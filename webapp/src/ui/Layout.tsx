// The frame of every page: skip link, header (navigation by role, the bell, points, language,
// sign out), the offline banner, and the page itself.
import { useEffect, useRef, type ReactNode } from "react";
import { Link, useLocation } from "wouter";
import { useNotifications } from "../feeds/notifications";
import { LOCALES, useI18n, type Locale } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { useConnection, useSession } from "../session";

type NavItem = { href: string; label: MessageKey };

const NAV: Record<string, NavItem[]> = {
  CUSTOMER: [
    { href: "/", label: "nav.home" },
    { href: "/jobs/new", label: "nav.postJob" },
    { href: "/projects", label: "nav.projects" },
    { href: "/enterprises", label: "nav.enterprises" },
    { href: "/threads", label: "nav.threads" },
    { href: "/points", label: "nav.points" },
    { href: "/support", label: "nav.support" },
  ],
  WORKER: [
    { href: "/", label: "nav.feed" },
    { href: "/jobs", label: "nav.myJobs" },
    { href: "/profile", label: "nav.profile" },
    { href: "/threads", label: "nav.threads" },
    { href: "/points", label: "nav.points" },
    { href: "/support", label: "nav.support" },
  ],
  ENTERPRISE_STAFF: [
    { href: "/", label: "nav.home" },
    { href: "/projects", label: "nav.projects" },
    { href: "/enterprises", label: "nav.enterprises" },
    { href: "/threads", label: "nav.threads" },
    { href: "/support", label: "nav.support" },
  ],
  ADMIN: [
    { href: "/", label: "nav.admin" },
    { href: "/projects", label: "nav.projects" },
    { href: "/enterprises", label: "nav.enterprises" },
  ],
};

function Bell() {
  const { t } = useI18n();
  const { unread } = useNotifications();
  return (
    <Link href="/notifications" className="bell" aria-label={t("nav.notifications", { count: unread })}>
      <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
        <path
          d="M6 16V11a6 6 0 1 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.8"
        />
      </svg>
      {unread > 0 && (
        <span className="count" data-testid="unread-count">
          {unread}
        </span>
      )}
    </Link>
  );
}

function LocaleSwitch() {
  const { locale, setLocale, t } = useI18n();
  return (
    <label className="locale">
      <span className="visually-hidden">{t("nav.language")}</span>
      <select value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
        {LOCALES.map((code) => (
          <option key={code} value={code} lang={code}>
            {code === "zh-CN" ? "中文" : "English"}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { t, number } = useI18n();
  const { viewer, signOut } = useSession();
  const { online } = useConnection();
  const [location, navigate] = useLocation();
  const main = useRef<HTMLElement>(null);
  useEffect(() => {
    // A new page: move focus to its heading so keyboard and screen-reader users start there.
    const heading = main.current?.querySelector<HTMLElement>("h1");
    heading?.focus({ preventScroll: true });
    document.title = heading?.textContent ? `${heading.textContent} · fixhub` : "fixhub";
  }, [location]);
  const items = viewer ? NAV[viewer.role] ?? [] : [];
  return (
    <>
      <a className="skip" href="#main">
        {t("nav.skip")}
      </a>
      <header className="top">
        <div className="bar">
          <Link href="/" className="brand">
            fixhub
          </Link>
          <div className="tools">
            {viewer && <Bell />}
            {viewer && (
              <Link href="/points" className="points" data-testid="points-balance">
                {t("points.short", { points: number(viewer.pointsBalance, 0) })}
              </Link>
            )}
            <LocaleSwitch />
            {viewer ? (
              <button
                type="button"
                className="ghost"
                onClick={() => {
                  signOut();
                  navigate("/signin");
                }}
              >
                {t("nav.signOut")}
              </button>
            ) : (
              <Link href="/signin" className="button ghost">
                {t("nav.signIn")}
              </Link>
            )}
          </div>
        </div>
        {items.length > 0 && (
          <nav aria-label={t("nav.main")}>
            <ul>
              {items.map((item) => (
                <li key={item.href}>
                  <Link href={item.href} aria-current={location === item.href ? "page" : undefined}>
                    {t(item.label)}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
      </header>
      {!online && (
        <div className="offline" role="status" data-testid="offline-banner">
          {t("offline.banner")}
        </div>
      )}
      <main id="main" ref={main}>
        {children}
      </main>
    </>
  );
}
