// Subscriptions that survive the network: each re-subscribes after the socket was lost,
// computing its variables again (feeds with `after` pass the last entry they hold, so the
// server replays exactly what was missed), and snapshots are read again on reconnect.
import { useEffect, useRef } from "react";
import { useClient, type AnyVariables, type TypedDocumentNode } from "urql";
import { useConnection } from "../session";

export function useLive<Data, Variables extends AnyVariables>(
  document: TypedDocumentNode<Data, Variables>,
  variables: () => Variables | null,
  onData: (data: Data) => void,
  deps: unknown[],
): void {
  const client = useClient();
  const { generation } = useConnection();
  const handler = useRef(onData);
  handler.current = onData;
  const makeVariables = useRef(variables);
  makeVariables.current = variables;
  useEffect(() => {
    const vars = makeVariables.current();
    if (vars === null) return;
    const subscription = client
      .subscription(document, vars)
      .subscribe((result) => {
        if (result.data) handler.current(result.data);
      });
    return () => subscription.unsubscribe();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, document, generation, ...deps]);
}

/** Runs `onBack` each time the socket is connected again after a loss. */
export function useOnReconnect(onBack: () => void): void {
  const { online, generation } = useConnection();
  const handler = useRef(onBack);
  handler.current = onBack;
  const seen = useRef(generation);
  useEffect(() => {
    if (online && seen.current !== generation) {
      seen.current = generation;
      handler.current();
    }
  }, [online, generation]);
}

/** Adds items to a list by id: a replayed or repeated item replaces itself, never doubles. */
export function mergeById<T extends { id: string }>(
  list: T[],
  incoming: T[],
  order: "append" | "prepend",
): T[] {
  const byId = new Map(list.map((item) => [item.id, item]));
  const fresh: T[] = [];
  for (const item of incoming) {
    if (byId.has(item.id)) byId.set(item.id, item);
    else fresh.push(item);
  }
  const kept = list.map((item) => byId.get(item.id)!);
  return order === "append" ? [...kept, ...fresh] : [...fresh.reverse(), ...kept];
}
