// ADMIN: the verification queue of enterprises, the rewards catalogue, the consultation desk.
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { useI18n } from "../i18n";
import { Card, ErrorText, Field, Page, StatusBadge } from "../ui/kit";

const QUEUE = graphql(`
  query VerificationQueue {
    enterprises(status: PENDING, verifiedOnly: false, first: 50) {
      edges {
        node {
          id
          name
          kind
          city
          licenseNumber
          contactEmail
          owner {
            displayName
          }
          createdAt
        }
      }
    }
  }
`);

const DECIDE = graphql(`
  mutation VerifyEnterprise($id: ID!, $approved: Boolean!, $note: String) {
    verifyEnterprise(id: $id, approved: $approved, note: $note) {
      id
      status
    }
  }
`);

const REWARDS = graphql(`
  query AdminRewards {
    rewards(first: 100) {
      edges {
        node {
          id
          name
          costPoints
          stock
          active
        }
      }
    }
  }
`);

const CREATE_REWARD = graphql(`
  mutation CreateReward($input: CreateRewardInput!) {
    createReward(input: $input) {
      id
    }
  }
`);

const UPDATE_REWARD = graphql(`
  mutation UpdateReward($id: ID!, $input: UpdateRewardInput!) {
    updateReward(id: $id, input: $input) {
      id
      active
    }
  }
`);

const CONSULTATIONS = graphql(`
  query ConsultationDesk {
    consultations(status: OPEN, first: 20) {
      edges {
        node {
          id
          subject
          status
          asker {
            displayName
          }
          entries(first: 10) {
            id
            text
            fromSupport
            createdAt
          }
        }
      }
    }
  }
`);

const REPLY = graphql(`
  mutation AnswerConsultation($id: ID!, $text: String!) {
    replyToConsultation(consultationId: $id, text: $text) {
      id
      status
    }
  }
`);

function Verification() {
  const { t, dateTime } = useI18n();
  const [{ data }, refetch] = useQuery({ query: QUEUE, requestPolicy: "network-only" });
  const [decided, decide] = useMutation(DECIDE);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const run = async (id: string, approved: boolean) => {
    const r = await decide({ id, approved, note: notes[id] || (approved ? null : "-") });
    if (!r.error) refetch({ requestPolicy: "network-only" });
  };
  const queue = data?.enterprises.edges.map((e) => e.node) ?? [];
  return (
    <Card title={t("admin.queue", { count: queue.length })}>
      {queue.length === 0 && <p className="muted">{t("admin.queueEmpty")}</p>}
      <ul className="list">
        {queue.map((firm) => (
          <li key={firm.id} className="list-item column">
            <div>
              <strong>{firm.name}</strong> · {t(`kind.${firm.kind}`)} · {firm.city}
              <p className="muted">
                {firm.licenseNumber} · {firm.contactEmail} · {firm.owner.displayName} · {dateTime(firm.createdAt)}
              </p>
            </div>
            <Field label={t("admin.note")} value={notes[firm.id] ?? ""} onChange={(e) => setNotes({ ...notes, [firm.id]: e.target.value })} />
            <div className="row">
              <button type="button" onClick={() => run(firm.id, true)}>
                {t("admin.verify")}
              </button>
              <button type="button" className="danger" onClick={() => run(firm.id, false)}>
                {t("admin.reject")}
              </button>
            </div>
          </li>
        ))}
      </ul>
      <ErrorText error={decided.error} />
    </Card>
  );
}

function Rewards() {
  const { t, number } = useI18n();
  const [{ data }, refetch] = useQuery({ query: REWARDS, requestPolicy: "network-only" });
  const [created, create] = useMutation(CREATE_REWARD);
  const [updated, update] = useMutation(UPDATE_REWARD);
  const [form, setForm] = useState({ name: "", cost: "", stock: "" });
  return (
    <Card title={t("admin.rewards")}>
      <ul className="list">
        {data?.rewards.edges.map(({ node: r }) => (
          <li key={r.id} className="list-item">
            <span>
              {r.name} · {t("points.cost", { points: number(r.costPoints, 0) })} · {t("points.stock", { count: r.stock })} · {r.active ? t("admin.active") : t("admin.inactive")}
            </span>
            <button type="button" className="secondary" onClick={async () => { const x = await update({ id: r.id, input: { active: !r.active } }); if (!x.error) refetch({ requestPolicy: "network-only" }); }}>
              {r.active ? t("admin.deactivate") : t("admin.activate")}
            </button>
          </li>
        ))}
      </ul>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await create({ input: { name: form.name, costPoints: Number(form.cost), stock: Number(form.stock) } });
          if (!r.error) {
            setForm({ name: "", cost: "", stock: "" });
            refetch({ requestPolicy: "network-only" });
          }
        }}
      >
        <div className="row">
          <Field label={t("admin.rewardName")} required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          <Field label={t("admin.rewardCost")} type="number" min={1} required value={form.cost} onChange={(e) => setForm({ ...form, cost: e.target.value })} />
          <Field label={t("admin.rewardStock")} type="number" min={0} required value={form.stock} onChange={(e) => setForm({ ...form, stock: e.target.value })} />
        </div>
        <button type="submit">{t("admin.addReward")}</button>
      </form>
      <ErrorText error={created.error ?? updated.error} />
    </Card>
  );
}

function Desk() {
  const { t, dateTime } = useI18n();
  const [{ data }, refetch] = useQuery({ query: CONSULTATIONS, requestPolicy: "network-only" });
  const [replied, reply] = useMutation(REPLY);
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const items = data?.consultations.edges.map((e) => e.node) ?? [];
  return (
    <Card title={t("admin.desk", { count: items.length })}>
      {items.length === 0 && <p className="muted">{t("admin.deskEmpty")}</p>}
      <ul className="list">
        {items.map((c) => (
          <li key={c.id} className="list-item column">
            <div>
              <strong>{c.subject}</strong> · {c.asker.displayName} <StatusBadge status={c.status} />
              {c.entries.map((entry) => (
                <p key={entry.id} className={entry.fromSupport ? "muted" : ""}>
                  {entry.text} <small>· {dateTime(entry.createdAt)}</small>
                </p>
              ))}
            </div>
            <form
              className="row"
              onSubmit={async (e) => {
                e.preventDefault();
                const r = await reply({ id: c.id, text: drafts[c.id] ?? "" });
                if (!r.error) refetch({ requestPolicy: "network-only" });
              }}
            >
              <Field label={t("admin.answer")} required value={drafts[c.id] ?? ""} onChange={(e) => setDrafts({ ...drafts, [c.id]: e.target.value })} />
              <button type="submit">{t("common.send")}</button>
            </form>
          </li>
        ))}
      </ul>
      <ErrorText error={replied.error} />
    </Card>
  );
}

export function Admin() {
  const { t } = useI18n();
  return (
    <Page title={t("admin.title")}>
      <div className="grid">
        <Verification />
        <Rewards />
        <Desk />
      </div>
    </Page>
  );
}
