// The consultation desk from the asker's side: open a question to support (optionally about one
// of your projects), read the answers, follow up, close it. Support answers on the admin page.
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { useI18n } from "../i18n";
import { Card, ErrorText, Field, Page, Select, StatusBadge, TextArea } from "../ui/kit";

const MINE = graphql(`
  query MyConsultations {
    consultations(first: 10) {
      edges {
        node {
          id
          subject
          status
          projectId
          createdAt
          entries(first: 20) {
            id
            text
            fromSupport
            createdAt
          }
        }
      }
    }
    projects(first: 50) {
      edges {
        node {
          id
          title
        }
      }
    }
  }
`);
const OPEN = graphql(`
  mutation OpenConsultation($input: OpenConsultationInput!) {
    openConsultation(input: $input) {
      id
      status
    }
  }
`);
const FOLLOW_UP = graphql(`
  mutation FollowUpConsultation($id: ID!, $text: String!) {
    replyToConsultation(consultationId: $id, text: $text) {
      id
      status
    }
  }
`);
const CLOSE = graphql(`
  mutation CloseConsultation($id: ID!) {
    closeConsultation(consultationId: $id) {
      id
      status
    }
  }
`);

/** `/support?project=12` comes from a project page: the question is about that project. */
function projectFromAddress(): string {
  return new URLSearchParams(window.location.search).get("project") ?? "";
}

function Ask({ projects, onOpened }: { projects: { id: string; title: string }[]; onOpened: () => void }) {
  const { t } = useI18n();
  const [result, open] = useMutation(OPEN);
  const [subject, setSubject] = useState("");
  const [text, setText] = useState("");
  const [projectId, setProjectId] = useState(projectFromAddress);
  return (
    <form
      className="card"
      aria-label={t("support.ask")}
      onSubmit={async (e) => {
        e.preventDefault();
        const done = await open({ input: { subject: subject.trim(), text, projectId: projectId || null } });
        if (!done.error) {
          setSubject("");
          setText("");
          onOpened();
        }
      }}
    >
      <h2>{t("support.ask")}</h2>
      <Field label={t("support.subject")} required maxLength={200} value={subject} onChange={(e) => setSubject(e.target.value)} />
      <TextArea label={t("support.question")} required maxLength={4000} value={text} onChange={(e) => setText(e.target.value)} />
      {projects.length > 0 && (
        <Select label={t("support.project")} value={projectId} onChange={(e) => setProjectId(e.target.value)}>
          <option value="">{t("support.noProject")}</option>
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.title}
            </option>
          ))}
        </Select>
      )}
      <ErrorText error={result.error} />
      <button type="submit" disabled={result.fetching}>
        {t("support.send")}
      </button>
    </form>
  );
}

export function Consultations() {
  const { t, dateTime } = useI18n();
  const [{ data, error }, refetch] = useQuery({ query: MINE, requestPolicy: "network-only" });
  const [followUp, doFollowUp] = useMutation(FOLLOW_UP);
  const [close, doClose] = useMutation(CLOSE);
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const reload = () => refetch({ requestPolicy: "network-only" });
  const items = data?.consultations.edges.map((e) => e.node) ?? [];
  const projects = data?.projects.edges.map((e) => e.node) ?? [];
  const titleOf = (id: string | null | undefined) => projects.find((p) => p.id === id)?.title;
  return (
    <Page title={t("support.title")}>
      <ErrorText error={error} />
      <Ask projects={projects} onOpened={reload} />
      <Card title={t("support.mine")}>
        {items.length === 0 && <p className="muted">{t("support.none")}</p>}
        <ul className="list" data-testid="consultations">
          {items.map((c) => (
            <li key={c.id} className="consultation" data-testid="consultation">
              <div className="quote-head">
                <strong>{c.subject}</strong>
                <StatusBadge status={c.status} />
              </div>
              {titleOf(c.projectId) && <p className="muted">{t("support.about", { title: titleOf(c.projectId)! })}</p>}
              <ol className="entries">
                {c.entries.map((entry) => (
                  <li key={entry.id}>
                    <small className="muted">
                      {entry.fromSupport ? t("support.fromSupport") : t("support.fromYou")} · {dateTime(entry.createdAt)}
                    </small>
                    <p>{entry.text}</p>
                  </li>
                ))}
              </ol>
              {c.status !== "CLOSED" && (
                <form
                  className="row"
                  onSubmit={async (e) => {
                    e.preventDefault();
                    const r = await doFollowUp({ id: c.id, text: drafts[c.id] ?? "" });
                    if (!r.error) {
                      setDrafts({ ...drafts, [c.id]: "" });
                      reload();
                    }
                  }}
                >
                  <Field label={t("support.followUp")} required value={drafts[c.id] ?? ""} onChange={(e) => setDrafts({ ...drafts, [c.id]: e.target.value })} />
                  <button type="submit">{t("common.send")}</button>
                  <button type="button" className="secondary" onClick={async () => { const r = await doClose({ id: c.id }); if (!r.error) reload(); }}>
                    {t("support.close")}
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
        <ErrorText error={followUp.error ?? close.error} />
      </Card>
    </Page>
  );
}
