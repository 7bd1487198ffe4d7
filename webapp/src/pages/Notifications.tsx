// The notifications page: everything the bell counts, newest first, with mark read.
import { Link } from "wouter";
import { useNotifications, type Notification } from "../feeds/notifications";
import { useI18n } from "../i18n";
import { Page } from "../ui/kit";

function linkOf(n: Notification): string | null {
  const data = (n.data ?? {}) as Record<string, unknown>;
  if (data.jobId) return `/jobs/${data.jobId}`;
  if (data.projectId) return `/projects/${data.projectId}`;
  if (data.threadId) return `/threads/${data.threadId}`;
  return null;
}

export function Notifications() {
  const { t, dateTime } = useI18n();
  const { items, unread, markRead } = useNotifications();
  const unreadIds = items.filter((n) => !n.read).map((n) => n.id);
  return (
    <Page
      title={t("notifications.title")}
      actions={
        <button type="button" className="secondary" disabled={!unread} onClick={() => markRead(unreadIds)}>
          {t("notifications.markAll")}
        </button>
      }
    >
      <p className="muted">{t("notifications.unread", { count: unread })}</p>
      {items.length === 0 && <p className="muted">{t("notifications.none")}</p>}
      <ul className="list" aria-live="polite" data-testid="notifications">
        {items.map((n) => {
          const href = linkOf(n);
          return (
            <li key={n.id} className={`list-item ${n.read ? "" : "unread"}`}>
              <div>
                <strong lang="en">{href ? <Link href={href}>{n.title}</Link> : n.title}</strong>
                <p lang="en">{n.body}</p>
                <p className="muted">{dateTime(n.createdAt)}</p>
              </div>
              {!n.read && (
                <button type="button" className="secondary" onClick={() => markRead([n.id])}>
                  {t("notifications.markRead")}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </Page>
  );
}
