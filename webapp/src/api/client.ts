// One urql client for the session: queries and mutations over HTTP, subscriptions over
// graphql-ws (graphql-transport-ws). The socket reconnects forever with backoff; `connection`
// tells the page whether it is online, and `generation` counts reconnections so feeds can
// resume from the last entry they hold.
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from "urql";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { GRAPHQL_PATH, wsUrl } from "./endpoints";

export type ConnectionState = { online: boolean; generation: number };
type Listener = (state: ConnectionState) => void;

// online: the socket is connected. generation: bumped at every loss of the socket, so feeds
// drop their subscription and subscribe again from the last entry they hold (graphql-ws
// would otherwise replay the original subscribe, with its original `after`, on reconnect).
export class Connection {
  private state: ConnectionState = { online: true, generation: 0 };
  private listeners = new Set<Listener>();

  get current(): ConnectionState {
    return this.state;
  }
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
  set(online: boolean): void {
    if (online === this.state.online) return;
    const generation = online ? this.state.generation : this.state.generation + 1;
    this.state = { online, generation };
    this.listeners.forEach((listener) => listener(this.state));
  }
}

function untilOnline(): Promise<void> {
  if (navigator.onLine) return Promise.resolve();
  return new Promise((resolve) => window.addEventListener("online", () => resolve(), { once: true }));
}

export type Session = { client: Client; ws: WsClient; connection: Connection };

export function createSession(token: string | null): Session {
  const connection = new Connection();
  const authorization = token ? `Bearer ${token}` : undefined;
  const ws = createWsClient({
    url: wsUrl(),
    connectionParams: () => ({ authorization }),
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      const delay = Math.min(300 * 2 ** retries, 5_000);
      await new Promise((resolve) => setTimeout(resolve, delay * (0.75 + Math.random() / 2)));
      await untilOnline();
    },
    on: {
      connected: () => connection.set(true),
      closed: () => connection.set(false),
    },
  });
  // A browser that lost its network holds a socket that is dead but not yet closed: drop it
  // now, so the banner shows and the feeds resume from where they are once back online.
  window.addEventListener("offline", () => {
    connection.set(false);
    ws.terminate();
  });
  const client = new Client({
    url: GRAPHQL_PATH,
    requestPolicy: "cache-and-network",
    fetchOptions: (): RequestInit => ({
      headers: authorization ? { Authorization: authorization } : {},
    }),
    exchanges: [
      mapExchange({
        onError(error, operation) {
          // A query or subscription the server refuses as malformed or over budget, or that
          // fails inside, is a bug of the app (mutations carry what people typed): say so
          // where the browser tests look.
          if (operation.kind === "mutation") return;
          for (const e of error.graphQLErrors) {
            const code = String(e.extensions?.code ?? "");
            if (code === "BAD_USER_INPUT" || code === "INTERNAL") {
              console.error(`graphql error ${code} in ${operation.kind}: ${e.message}`);
            }
          }
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || "" };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return { client, ws, connection };
}
