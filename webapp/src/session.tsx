// The signed-in session: the token (kept in localStorage, so a reload stays signed in), the
// urql client and socket made for it, the viewer, and the server's currency.
import {
  createContext,
  useContext,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from "react";
import { Provider, useQuery } from "urql";
import { createSession, type ConnectionState, type Session } from "./api/client";
import { TOKEN_KEY } from "./api/endpoints";
import { graphql } from "./gql";
import type { MeQuery } from "./gql/graphql";

const ME = graphql(`
  query Me {
    currency
    me {
      id
      email
      displayName
      role
      pointsBalance
      workerProfile {
        id
        categories
        available
        serviceRadiusKm
        location {
          lat
          lng
        }
        bio
        ratingAverage
        ratingCount
        completedJobs
      }
    }
  }
`);

export type Viewer = NonNullable<MeQuery["me"]>;

type SessionValue = {
  session: Session;
  viewer: Viewer | null;
  currency: string;
  loading: boolean;
  signIn: (token: string) => void;
  signOut: () => void;
  refreshViewer: () => void;
};

const Context = createContext<SessionValue | null>(null);

function Viewer({ session, token, children, signIn, signOut }: {
  session: Session;
  token: string | null;
  children: ReactNode;
  signIn: (token: string) => void;
  signOut: () => void;
}) {
  const [{ data, fetching, error }, refresh] = useQuery({ query: ME });
  useEffect(() => {
    if (error?.response?.status === 401) signOut(); // expired or forged token
  }, [error, signOut]);
  const value: SessionValue = {
    session,
    viewer: data?.me ?? null,
    currency: data?.currency ?? "CNY",
    // Signed in but the viewer not read yet (just after sign-in, the old answer is anonymous).
    loading: (fetching && !data) || (token !== null && !data?.me && !error),
    signIn,
    signOut,
    refreshViewer: () => refresh({ requestPolicy: "network-only" }),
  };
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState<string | null>(() => localStorage.getItem(TOKEN_KEY));
  const session = useMemo(() => createSession(token), [token]);
  useEffect(
    () => () => {
      void session.ws.dispose();
    },
    [session],
  );
  const signIn = useMemo(
    () => (next: string) => {
      localStorage.setItem(TOKEN_KEY, next);
      setToken(next);
    },
    [],
  );
  const signOut = useMemo(
    () => () => {
      localStorage.removeItem(TOKEN_KEY);
      setToken(null);
    },
    [],
  );
  return (
    <Provider value={session.client}>
      <Viewer key={token ?? "anonymous"} session={session} token={token} signIn={signIn} signOut={signOut}>
        {children}
      </Viewer>
    </Provider>
  );
}

export function useSession(): SessionValue {
  const value = useContext(Context);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}

export function useConnection(): ConnectionState {
  const { connection } = useSession().session;
  return useSyncExternalStore(
    (listener) => connection.subscribe(listener),
    () => connection.current,
  );
}
