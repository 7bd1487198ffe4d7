// Conversations: the list, the threads of one job, and one thread with its messages live.
import { useEffect, useRef, useState } from "react";
import { Link, useParams } from "wouter";
import { useMutation, useQuery } from "urql";
import { mergeById, useLive, useOnReconnect } from "../feeds/live";
import { graphql } from "../gql";
import type { MessageFieldsFragment } from "../gql/graphql";
import { useI18n } from "../i18n";
import { useSession } from "../session";
import { Card, ErrorText, Page } from "../ui/kit";

const THREADS = graphql(`
  query Threads {
    threads(first: 50) {
      edges {
        node {
          id
          unreadCount
          lastMessageAt
          open
          job {
            id
            title
          }
          project {
            id
            title
          }
          customer {
            id
            displayName
          }
          worker {
            id
            displayName
          }
        }
      }
    }
  }
`);

graphql(`
  fragment MessageFields on Message {
    id
    text
    createdAt
    sender {
      id
      displayName
    }
  }
`);

const THREAD = graphql(`
  query ThreadPage($id: ID!) {
    thread(id: $id) {
      id
      open
      job {
        id
        title
      }
      project {
        id
        title
      }
      customer {
        displayName
      }
      worker {
        displayName
      }
    }
    messages(threadId: $id, first: 100) {
      edges {
        node {
          ...MessageFields
        }
      }
    }
  }
`);

const MESSAGE_RECEIVED = graphql(`
  subscription MessageReceived($threadId: ID!) {
    messageReceived(threadId: $threadId) {
      ...MessageFields
    }
  }
`);

const SEND = graphql(`
  mutation SendMessage($threadId: ID!, $text: String!) {
    sendMessage(threadId: $threadId, text: $text) {
      ...MessageFields
    }
  }
`);

const MARK_THREAD_READ = graphql(`
  mutation MarkThreadRead($threadId: ID!) {
    markThreadRead(threadId: $threadId) {
      id
      unreadCount
    }
  }
`);

export function ThreadList() {
  const { t, dateTime } = useI18n();
  const [{ data, error }] = useQuery({ query: THREADS, requestPolicy: "cache-and-network" });
  const threads = data?.threads.edges.map((e) => e.node) ?? [];
  return (
    <Page title={t("threads.title")}>
      <ErrorText error={error} />
      {threads.length === 0 && <p className="muted">{t("threads.none")}</p>}
      <ul className="list">
        {threads.map((thread) => (
          <li key={thread.id} className="list-item">
            <div>
              <Link href={`/threads/${thread.id}`}>
                {thread.job?.title ?? thread.project?.title} · {thread.worker?.displayName ?? thread.customer.displayName}
              </Link>
              {thread.lastMessageAt && <p className="muted">{dateTime(thread.lastMessageAt)}</p>}
            </div>
            {thread.unreadCount > 0 && <span className="badge">{t("threads.unread", { count: thread.unreadCount })}</span>}
          </li>
        ))}
      </ul>
    </Page>
  );
}

/** The job's conversations; `version` changes when a quote may have opened one. */
export function JobThreads({ jobId, version }: { jobId: string; version: string }) {
  const { t } = useI18n();
  const { viewer } = useSession();
  const [{ data }, refetch] = useQuery({ query: THREADS, requestPolicy: "cache-and-network" });
  useEffect(() => refetch({ requestPolicy: "network-only" }), [version]); // eslint-disable-line react-hooks/exhaustive-deps
  const threads = (data?.threads.edges.map((e) => e.node) ?? []).filter((thread) => thread.job?.id === jobId);
  if (!threads.length) return null;
  return (
    <Card title={t("threads.ofJob")}>
      <ul className="list">
        {threads.map((thread) => (
          <li key={thread.id}>
            <Link href={`/threads/${thread.id}`}>
              {t("threads.with", {
                name: thread.worker && thread.worker.id !== viewer?.id ? thread.worker.displayName : thread.customer.displayName,
              })}
            </Link>
          </li>
        ))}
      </ul>
    </Card>
  );
}

export function Conversation({ threadId }: { threadId: string }) {
  const { t, dateTime } = useI18n();
  const { viewer } = useSession();
  const [{ data, error }, refetch] = useQuery({ query: THREAD, variables: { id: threadId }, requestPolicy: "network-only" });
  const [live, setLive] = useState<MessageFieldsFragment[]>([]);
  const [text, setText] = useState("");
  const [sent, send] = useMutation(SEND);
  const [, markRead] = useMutation(MARK_THREAD_READ);
  const list = useRef<HTMLOListElement>(null);
  useLive(MESSAGE_RECEIVED, () => ({ threadId }), (d) => setLive((list) => mergeById(list, [d.messageReceived], "append")), [threadId]);
  useOnReconnect(() => refetch({ requestPolicy: "network-only" }));
  const snapshot = (data?.messages.edges.map((e) => e.node) ?? []).slice().sort((a, b) => Number(a.id) - Number(b.id));
  const messages = mergeById(snapshot, live, "append");
  useEffect(() => {
    // Scroll the list itself to the newest message (scrollIntoView would move the page too).
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
    if (messages.length) void markRead({ threadId });
  }, [messages.length]); // eslint-disable-line react-hooks/exhaustive-deps
  if (error) return <ErrorText error={error} />;
  return (
    <div className="conversation">
      <ol ref={list} className="messages" aria-live="polite" data-testid="messages" tabIndex={0} aria-label={t("threads.title")}>
        {messages.map((m) => (
          <li key={m.id} className={m.sender.id === viewer?.id ? "mine" : ""}>
            <span className="who">{m.sender.displayName}</span>
            <p>{m.text}</p>
            <time dateTime={m.createdAt}>{dateTime(m.createdAt)}</time>
          </li>
        ))}
      </ol>
      {data?.thread.open ? (
        <form
          className="send"
          onSubmit={async (e) => {
            e.preventDefault();
            if (!text.trim()) return;
            const done = await send({ threadId, text });
            if (done.data) {
              setText("");
              setLive((list) => mergeById(list, [done.data!.sendMessage], "append"));
            }
          }}
        >
          <label htmlFor="message-text" className="visually-hidden">
            {t("threads.message")}
          </label>
          <input id="message-text" value={text} maxLength={4000} placeholder={t("threads.message")} onChange={(e) => setText(e.target.value)} />
          <button type="submit" disabled={sent.fetching}>
            {t("common.send")}
          </button>
        </form>
      ) : (
        data && <p className="muted">{t("threads.closed")}</p>
      )}
      <ErrorText error={sent.error} />
    </div>
  );
}

export function ThreadPage() {
  const { id } = useParams<{ id: string }>();
  const { t } = useI18n();
  const [{ data }] = useQuery({ query: THREAD, variables: { id } });
  const title = data?.thread.job?.title ?? data?.thread.project?.title ?? t("threads.title");
  return (
    <Page title={title}>
      <Conversation threadId={id} />
    </Page>
  );
}
