// A project's design proposals: the designer submits one (title, description, a link to the
// documents, an estimate), the customer confirms it and it is filed as the project's design.
import { useEffect, useState } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { useI18n } from "../i18n";
import { Card, ErrorText, Field, StatusBadge, TextArea, parseCents } from "../ui/kit";

/** What the project sections need of the project. */
export type ProjectBasics = { id: string; status: string; currency: string; myRoles: string[] };

/** The statuses in which the team files designs, material plans and deliveries. */
export const TEAM_AT_WORK = ["CONTRACTING", "IN_PROGRESS", "RECTIFYING"];

const DESIGNS = graphql(`
  query ProjectDesigns($id: ID!) {
    designProposals(projectId: $id, first: 20) {
      id
      title
      description
      documentUrl
      estimateCents
      currency
      status
      designer {
        displayName
      }
    }
  }
`);
const CONFIRM_DESIGN = graphql(`
  mutation ConfirmDesign($id: ID!) {
    confirmDesignProposal(proposalId: $id) {
      id
      status
    }
  }
`);
const SUBMIT_DESIGN = graphql(`
  mutation SubmitDesign($id: ID!, $input: DesignProposalInput!) {
    submitDesignProposal(projectId: $id, input: $input) {
      id
      status
    }
  }
`);

const EMPTY = { title: "", description: "", documentUrl: "", estimate: "" };

function ProposeDesign({ project, onSubmitted }: { project: ProjectBasics; onSubmitted: () => void }) {
  const { t } = useI18n();
  const [result, submit] = useMutation(SUBMIT_DESIGN);
  const [form, setForm] = useState(EMPTY);
  return (
    <form
      aria-label={t("design.propose")}
      onSubmit={async (e) => {
        e.preventDefault();
        const estimateCents = parseCents(form.estimate);
        if (estimateCents === null) return;
        const { title, description, documentUrl } = form;
        const done = await submit({ id: project.id, input: { title, description, documentUrl, estimateCents } });
        if (!done.error) {
          setForm(EMPTY);
          onSubmitted();
        }
      }}
    >
      <h3>{t("design.propose")}</h3>
      <Field label={t("design.title")} required maxLength={200} value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} />
      <TextArea label={t("design.description")} required value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
      <Field
        label={t("design.documentUrl")}
        type="url"
        required
        placeholder="https://"
        value={form.documentUrl}
        onChange={(e) => setForm({ ...form, documentUrl: e.target.value })}
      />
      <Field label={t("design.estimate", { currency: project.currency })} inputMode="decimal" required value={form.estimate} onChange={(e) => setForm({ ...form, estimate: e.target.value })} />
      <ErrorText error={result.error} />
      <button type="submit" disabled={result.fetching}>
        {t("design.submit")}
      </button>
    </form>
  );
}

export function ProjectDesigns({ project, version }: { project: ProjectBasics; version: number }) {
  const { t, money } = useI18n();
  const [designs, refetch] = useQuery({ query: DESIGNS, variables: { id: project.id }, requestPolicy: "network-only" });
  const [confirm, doConfirm] = useMutation(CONFIRM_DESIGN);
  const reload = () => refetch({ requestPolicy: "network-only" });
  useEffect(reload, [version]); // eslint-disable-line react-hooks/exhaustive-deps
  const proposals = designs.data?.designProposals;
  return (
    <Card title={t("project.designs")}>
      <ErrorText error={designs.error} />
      {proposals?.length === 0 && <p className="muted">{t("project.noDesigns")}</p>}
      <ul className="list" data-testid="design-proposals">
        {proposals?.map((d) => (
          <li key={d.id} className="list-item" data-testid="design-proposal">
            <div>
              <strong>{d.title}</strong> <StatusBadge status={d.status} />
              <p>{d.description}</p>
              <p className="muted">
                {d.designer.displayName} · {money(d.estimateCents, d.currency)} ·{" "}
                {/^https?:\/\//.test(d.documentUrl) ? (
                  <a href={d.documentUrl} target="_blank" rel="noopener noreferrer">
                    {t("design.openDocuments")}
                  </a>
                ) : (
                  <span lang="en">{d.documentUrl}</span>
                )}
              </p>
            </div>
            {project.myRoles.includes("CUSTOMER") && d.status === "SUBMITTED" && (
              <button type="button" onClick={async () => { const r = await doConfirm({ id: d.id }); if (!r.error) reload(); }}>
                {t("project.confirmDesign")}
              </button>
            )}
          </li>
        ))}
      </ul>
      <ErrorText error={confirm.error} />
      {project.myRoles.includes("DESIGNER") && TEAM_AT_WORK.includes(project.status) && <ProposeDesign project={project} onSubmitted={reload} />}
    </Card>
  );
}
