// The viewer's notifications: the newest page, the unread count, and everything after the
// newest one live (`notifications(after:)` replays what the page missed while offline).
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { useClient, useMutation } from "urql";
import { graphql } from "../gql";
import type { NotificationsPageQuery } from "../gql/graphql";
import { useSession } from "../session";
import { mergeById, useLive, useOnReconnect } from "./live";

const PAGE = graphql(`
  query NotificationsPage {
    unreadNotificationCount
    notifications(first: 30) {
      edges {
        node {
          id
          kind
          title
          body
          data
          read
          createdAt
        }
      }
    }
  }
`);

const LIVE = graphql(`
  subscription NotificationsLive($after: ID) {
    notifications(after: $after) {
      id
      kind
      title
      body
      data
      read
      createdAt
    }
  }
`);

const MARK_READ = graphql(`
  mutation MarkNotificationsRead($ids: [ID!]!) {
    markNotificationsRead(ids: $ids)
  }
`);

export type Notification = NotificationsPageQuery["notifications"]["edges"][number]["node"];

type Value = {
  items: Notification[];
  unread: number;
  markRead: (ids: string[]) => Promise<void>;
  /** Called with every notification that arrives live (points, hires...). */
  onArrival: (listener: (n: Notification) => void) => () => void;
};

const Context = createContext<Value>({
  items: [],
  unread: 0,
  markRead: async () => {},
  onArrival: () => () => {},
});

export function NotificationsProvider({ children }: { children: ReactNode }) {
  const { viewer, refreshViewer } = useSession();
  const client = useClient();
  const [items, setItems] = useState<Notification[]>([]);
  const [unread, setUnread] = useState(0);
  const [ready, setReady] = useState(false);
  const newest = useRef<string | null>(null);
  const seen = useRef(new Set<string>());
  const listeners = useRef(new Set<(n: Notification) => void>());
  const [, markRead] = useMutation(MARK_READ);

  const load = useCallback(async () => {
    const result = await client.query(PAGE, {}, { requestPolicy: "network-only" }).toPromise();
    if (!result.data) return;
    const page = result.data.notifications.edges.map((edge) => edge.node);
    page.forEach((n) => seen.current.add(n.id));
    setItems((list) => mergeById(list, page.slice().reverse(), "prepend"));
    setUnread(result.data.unreadNotificationCount);
    if (page[0] && (newest.current === null || Number(page[0].id) > Number(newest.current))) {
      newest.current = page[0].id;
    }
    setReady(true);
  }, [client]);

  useEffect(() => {
    setItems([]);
    setUnread(0);
    setReady(false);
    newest.current = null;
    seen.current = new Set();
    if (viewer) void load();
  }, [viewer?.id, load]); // eslint-disable-line react-hooks/exhaustive-deps

  useLive(
    LIVE,
    () => (viewer && ready ? { after: newest.current } : null),
    (data) => {
      const n = data.notifications;
      newest.current = n.id;
      const fresh = !seen.current.has(n.id);
      seen.current.add(n.id);
      setItems((list) => mergeById(list, [n], "prepend"));
      if (fresh && !n.read) setUnread((count) => count + 1);
      if (n.kind.startsWith("POINTS_")) refreshViewer();
      listeners.current.forEach((listener) => listener(n));
    },
    [viewer?.id, ready],
  );
  useOnReconnect(() => {
    if (viewer) void load();
  });

  const value: Value = {
    items,
    unread,
    markRead: async (ids) => {
      if (!ids.length) return;
      const result = await markRead({ ids });
      if (!result.error) {
        setItems((list) => list.map((item) => (ids.includes(item.id) ? { ...item, read: true } : item)));
        setUnread((count) => Math.max(0, count - (result.data?.markNotificationsRead ?? 0)));
      }
    },
    onArrival: (listener) => {
      listeners.current.add(listener);
      return () => {
        listeners.current.delete(listener);
      };
    },
  };
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useNotifications(): Value {
  return useContext(Context);
}
