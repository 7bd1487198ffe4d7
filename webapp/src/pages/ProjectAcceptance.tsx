// The end of a renovation: the customer accepts the finished work or lists defects (back to
// RECTIFYING), the project manager reports them fixed, and once accepted the customer rates
// each chosen firm and the platform, once each.
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { ProjectPageQuery } from "../gql/graphql";
import { useI18n } from "../i18n";
import { Card, ErrorText, RatingInput, TextArea } from "../ui/kit";

type Project = NonNullable<ProjectPageQuery["project"]>;

const ACCEPT_PROJECT = graphql(`
  mutation AcceptProject($id: ID!, $input: AcceptanceInput!) {
    acceptProject(projectId: $id, input: $input) {
      id
      status
      openDefects
    }
  }
`);
const RESOLVE_DEFECTS = graphql(`
  mutation ResolveDefects($id: ID!, $note: String!) {
    resolveDefects(projectId: $id, note: $note) {
      id
      status
    }
  }
`);
const EVALUATIONS = graphql(`
  query ProjectEvaluations($id: ID!) {
    projectEvaluations(projectId: $id) {
      id
      target
      rating
      comment
    }
  }
`);
const EVALUATE_FIRM = graphql(`
  mutation EvaluateEnterprise($id: ID!, $enterpriseId: ID!, $rating: Int!, $comment: String) {
    evaluateEnterprise(projectId: $id, enterpriseId: $enterpriseId, rating: $rating, comment: $comment) {
      id
    }
  }
`);
const EVALUATE_PLATFORM = graphql(`
  mutation EvaluatePlatform($id: ID!, $rating: Int!, $comment: String) {
    evaluatePlatform(projectId: $id, rating: $rating, comment: $comment) {
      id
    }
  }
`);

function Decide({ project, onDone }: { project: Project; onDone: () => void }) {
  const { t } = useI18n();
  const [result, accept] = useMutation(ACCEPT_PROJECT);
  const [defects, setDefects] = useState("");
  const [note, setNote] = useState("");
  const listed = defects.split("\n").map((line) => line.trim()).filter(Boolean);
  const decide = async (accepted: boolean) => {
    const done = await accept({ id: project.id, input: { accepted, defects: accepted ? null : listed, note: note.trim() || null } });
    if (!done.error) onDone();
  };
  return (
    <>
      <p>{t("acceptance.hint")}</p>
      <TextArea label={t("acceptance.note")} value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
      <button type="button" onClick={() => decide(true)} disabled={result.fetching}>
        {t("acceptance.accept")}
      </button>
      <TextArea label={t("acceptance.defects")} value={defects} onChange={(e) => setDefects(e.target.value)} />
      <button type="button" className="danger" onClick={() => decide(false)} disabled={result.fetching || listed.length === 0}>
        {t("acceptance.sendBack")}
      </button>
      <ErrorText error={result.error} />
    </>
  );
}

function Resolve({ project, onDone }: { project: Project; onDone: () => void }) {
  const { t } = useI18n();
  const [result, resolve] = useMutation(RESOLVE_DEFECTS);
  const [note, setNote] = useState("");
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        const done = await resolve({ id: project.id, note: note.trim() });
        if (!done.error) onDone();
      }}
    >
      <TextArea label={t("acceptance.fixNote")} required value={note} onChange={(e) => setNote(e.target.value)} />
      <ErrorText error={result.error} />
      <button type="submit" disabled={result.fetching || !note.trim()}>
        {t("acceptance.fixed")}
      </button>
    </form>
  );
}

function Evaluate({ project }: { project: Project }) {
  const { t } = useI18n();
  const [{ data }, refetch] = useQuery({ query: EVALUATIONS, variables: { id: project.id }, requestPolicy: "network-only" });
  const [firm, rateFirm] = useMutation(EVALUATE_FIRM);
  const [platform, ratePlatform] = useMutation(EVALUATE_PLATFORM);
  const [drafts, setDrafts] = useState<Record<string, { rating: number; comment: string }>>({});
  const team = project.team;
  const targets = [team.designEnterprise, team.decorationEnterprise, team.supervisionEnterprise, team.supplierEnterprise]
    .filter((e): e is NonNullable<typeof e> => !!e)
    .map((e) => ({ target: `enterprise:${e.id}`, enterpriseId: e.id as string | null, name: e.name }))
    .concat([{ target: "platform", enterpriseId: null, name: t("evaluation.platform") }]);
  const given = new Map((data?.projectEvaluations ?? []).map((e) => [e.target, e]));
  const draft = (target: string) => drafts[target] ?? { rating: 5, comment: "" };
  return (
    <ul className="list" data-testid="evaluations">
      {targets.map(({ target, enterpriseId, name }) => {
        const done = given.get(target);
        return (
          <li key={target} className="list-item">
            {done ? (
              <p>
                <strong>{name}</strong> · {t("evaluation.given", { rating: done.rating })}
              </p>
            ) : (
              <form
                aria-label={t("evaluation.rate", { name })}
                onSubmit={async (e) => {
                  e.preventDefault();
                  const { rating, comment } = draft(target);
                  const vars = { id: project.id, rating, comment: comment.trim() || null };
                  const r = enterpriseId ? await rateFirm({ ...vars, enterpriseId }) : await ratePlatform(vars);
                  if (!r.error) refetch({ requestPolicy: "network-only" });
                }}
              >
                <RatingInput label={t("evaluation.rate", { name })} value={draft(target).rating} onChange={(rating) => setDrafts({ ...drafts, [target]: { ...draft(target), rating } })} />
                <TextArea label={t("review.comment")} value={draft(target).comment} onChange={(e) => setDrafts({ ...drafts, [target]: { ...draft(target), comment: e.target.value } })} />
                <button type="submit">{t("evaluation.send")}</button>
              </form>
            )}
          </li>
        );
      })}
      <ErrorText error={firm.error ?? platform.error} />
    </ul>
  );
}

export function ProjectAcceptance({ project, onChange }: { project: Project; onChange: () => void }) {
  const { t } = useI18n();
  const roles = project.myRoles;
  const customer = roles.includes("CUSTOMER");
  const status = project.status;
  const decides = customer && status === "AWAITING_ACCEPTANCE";
  const fixes = roles.includes("PROJECT_MANAGER") && status === "RECTIFYING";
  const evaluates = customer && status === "ACCEPTED";
  const defects = project.openDefects;
  if (!decides && !fixes && !evaluates && defects.length === 0) return null;
  return (
    <Card title={t(evaluates ? "evaluation.title" : "acceptance.title")}>
      {defects.length > 0 && (
        <>
          <h3>{t("acceptance.openDefects")}</h3>
          <ul data-testid="open-defects">
            {defects.map((d, i) => (
              <li key={i}>{d}</li>
            ))}
          </ul>
        </>
      )}
      {decides && <Decide project={project} onDone={onChange} />}
      {fixes && <Resolve project={project} onDone={onChange} />}
      {evaluates && <Evaluate project={project} />}
    </Card>
  );
}
