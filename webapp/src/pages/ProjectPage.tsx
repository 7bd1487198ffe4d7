// A renovation project for everyone on it: team, contract, filed records (SHA-256 + verify),
// designs, materials and deliveries, milestones (report / ready / inspect / approve), escrow,
// the conversation, and the live site timeline from projectProgress(after:).
import { useEffect, useRef, useState } from "react";
import { Link, useParams } from "wouter";
import { useClient, useMutation, useQuery } from "urql";
import { mergeById, useLive } from "../feeds/live";
import { graphql } from "../gql";
import type { ProjectEventFieldsFragment, ProjectPageQuery } from "../gql/graphql";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { Card, ErrorText, Field, Page, StatusBadge, TextArea, parseCents } from "../ui/kit";
import { ProjectAcceptance } from "./ProjectAcceptance";
import { ProjectDesigns } from "./ProjectDesigns";
import { ProjectMaterials } from "./ProjectMaterials";
import { TeamPicker } from "./TeamPicker";
import { Conversation } from "./Threads";

const PROJECT = graphql(`
  query ProjectPage($id: ID!) {
    project(id: $id) {
      id
      title
      address
      areaSqm
      budgetCents
      currency
      description
      status
      myRoles
      openDefects
      customer {
        id
        displayName
      }
      team {
        designEnterprise {
          id
          name
        }
        decorationEnterprise {
          id
          name
        }
        supervisionEnterprise {
          id
          name
        }
        supplierEnterprise {
          id
          name
        }
        designer {
          displayName
        }
        projectManager {
          displayName
        }
        supervisor {
          displayName
        }
        materialBudgeter {
          displayName
        }
      }
    }
  }
`);

graphql(`
  fragment ProjectEventFields on ProjectEvent {
    id
    kind
    summary
    data
    createdAt
    actor {
      displayName
    }
  }
`);

const EVENTS = graphql(`
  query ProjectEvents($id: ID!) {
    projectEvents(projectId: $id, first: 100) {
      edges {
        node {
          ...ProjectEventFields
        }
      }
    }
  }
`);

const PROGRESS = graphql(`
  subscription ProjectProgress($id: ID!, $after: ID) {
    projectProgress(projectId: $id, after: $after) {
      ...ProjectEventFields
    }
  }
`);

const CONTRACT = graphql(`
  query ProjectContract($id: ID!) {
    projectContract(projectId: $id) {
      id
      revision
      totalCents
      currency
      terms
      status
      customerSignedAt
      enterpriseSignedAt
      stages {
        position
        name
        percent
        amountCents
      }
    }
  }
`);

const SIGN = graphql(`
  mutation SignContract($id: ID!, $revision: Int!) {
    signContract(projectId: $id, revision: $revision) {
      id
      status
    }
  }
`);

const RECORDS = graphql(`
  query ProjectRecords($id: ID!) {
    projectRecords(projectId: $id, first: 100) {
      id
      kind
      filingNumber
      subject
      version
      sha256
      filedAt
    }
  }
`);

const VERIFY = graphql(`
  query VerifyRecord($id: ID!, $sha256: String) {
    verifyProjectRecord(recordId: $id, sha256: $sha256) {
      valid
      computedSha256
    }
  }
`);

const MILESTONES = graphql(`
  query ProjectMilestones($id: ID!) {
    milestones(projectId: $id) {
      id
      position
      name
      percent
      amountCents
      status
      progressPercent
      approvedAt
    }
  }
`);

const REPORT = graphql(`
  mutation ReportProgress($id: ID!, $input: ProgressInput!) {
    reportProgress(milestoneId: $id, input: $input) {
      id
    }
  }
`);
const READY = graphql(`
  mutation MarkReady($id: ID!) {
    markMilestoneReady(milestoneId: $id) {
      id
      status
    }
  }
`);
const INSPECT = graphql(`
  mutation Inspect($id: ID!, $input: InspectionInput!) {
    inspectMilestone(milestoneId: $id, input: $input) {
      id
      passed
    }
  }
`);
const APPROVE = graphql(`
  mutation Approve($id: ID!) {
    approveMilestone(milestoneId: $id) {
      id
      status
    }
  }
`);





const STATEMENT = graphql(`
  query ProjectStatement($id: ID!) {
    projectStatement(projectId: $id) {
      currency
      contractTotalCents
      depositedCents
      releasedCents
      heldCents
      pendingReleaseCents
      outstandingCents
    }
  }
`);
const DEPOSIT = graphql(`
  mutation Deposit($id: ID!, $input: DepositInput!) {
    depositToEscrow(projectId: $id, input: $input) {
      id
    }
  }
`);

const THREAD = graphql(`
  query ProjectThread($id: ID!) {
    projectThread(projectId: $id) {
      id
    }
  }
`);

type Project = NonNullable<ProjectPageQuery["project"]>;

/** A progress report's photo count, a camera snapshot's picture (a link: the page itself loads
nothing from another host). */
function EntryMedia({ data }: { data: unknown }) {
  const { t } = useI18n();
  const { photoCount, imageUrl } = (data ?? {}) as { photoCount?: number; imageUrl?: string };
  return (
    <>
      {!!photoCount && <span className="muted"> · {t("project.photos", { count: photoCount })}</span>}
      {imageUrl && /^https?:\/\//.test(imageUrl) && (
        <>
          {" · "}
          <a href={imageUrl} target="_blank" rel="noopener noreferrer">
            {t("project.openSnapshot")}
          </a>
        </>
      )}
    </>
  );
}

function Timeline({ projectId, onEntry }: { projectId: string; onEntry: () => void }) {
  const { t, dateTime } = useI18n();
  const client = useClient();
  const [entries, setEntries] = useState<ProjectEventFieldsFragment[] | null>(null);
  const last = useRef<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    setEntries(null);
    void client
      .query(EVENTS, { id: projectId }, { requestPolicy: "network-only" })
      .toPromise()
      .then((result) => {
        if (cancelled || !result.data) return;
        const oldestFirst = result.data.projectEvents.edges.map((e) => e.node).reverse();
        last.current = oldestFirst.at(-1)?.id ?? null;
        setEntries(oldestFirst);
      });
    return () => {
      cancelled = true;
    };
  }, [client, projectId]);
  // Subscribed once the snapshot is in, from its newest entry; after a lost socket it
  // subscribes again from the newest entry it holds, so the server replays only what was missed.
  useLive(
    PROGRESS,
    () => (entries === null ? null : { id: projectId, after: last.current }),
    (d) => {
      const entry = d.projectProgress;
      if (last.current === null || Number(entry.id) > Number(last.current)) last.current = entry.id;
      setEntries((list) => mergeById(list ?? [], [entry], "append"));
      onEntry();
    },
    [projectId, entries === null],
  );
  return (
    <Card title={t("project.timeline")} className="site-timeline">
      {entries === null && <p className="muted">{t("common.loading")}</p>}
      <ol className="events" aria-live="polite" data-testid="site-timeline" tabIndex={0} aria-label={t("project.timeline")}>
        {(entries ?? []).map((e) => (
          <li key={e.id} data-testid="timeline-entry" data-event-id={e.id} data-kind={e.kind}>
            <span className="badge">{t(`event.${e.kind}` as MessageKey)}</span> <span lang="en">{e.summary}</span>
            <EntryMedia data={e.data} />
            <small className="muted">
              {" "}
              · {e.actor?.displayName ?? "fixhub"} · {dateTime(e.createdAt)}
            </small>
          </li>
        ))}
      </ol>
    </Card>
  );
}

function Team({ project }: { project: Project }) {
  const { t } = useI18n();
  const team = project.team;
  const rows: [MessageKey, string | undefined, string | undefined][] = [
    ["kind.DESIGN", team.designEnterprise?.name, team.designer?.displayName],
    ["kind.DECORATION", team.decorationEnterprise?.name, team.projectManager?.displayName],
    ["kind.SUPERVISION", team.supervisionEnterprise?.name, team.supervisor?.displayName],
    ["kind.MATERIAL_SUPPLIER", team.supplierEnterprise?.name, team.materialBudgeter?.displayName],
  ];
  return (
    <Card title={t("project.team")}>
      <dl className="facts">
        {rows.map(([kind, firm, person]) => (
          <div key={kind} className="fact">
            <dt>{t(kind)}</dt>
            <dd>{firm ? `${firm} · ${person ?? ""}` : t("project.notChosen")}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}

function Contract({ project, version }: { project: Project; version: number }) {
  const { t, money, dateTime } = useI18n();
  const [{ data }, refetch] = useQuery({ query: CONTRACT, variables: { id: project.id }, requestPolicy: "network-only" });
  const [sign, doSign] = useMutation(SIGN);
  useEffect(() => refetch({ requestPolicy: "network-only" }), [version]); // eslint-disable-line react-hooks/exhaustive-deps
  const contract = data?.projectContract;
  if (!contract) return <Card title={t("project.contract")}><p className="muted">{t("project.noContract")}</p></Card>;
  const canSign =
    contract.status === "DRAFT" &&
    ((project.myRoles.includes("CUSTOMER") && !contract.customerSignedAt) ||
      ((project.myRoles.includes("PROJECT_MANAGER") || project.myRoles.includes("DECORATION_FIRM")) && !contract.enterpriseSignedAt));
  return (
    <Card title={t("project.contract")}>
      <p>
        {t("project.contractRevision", { revision: contract.revision, total: money(contract.totalCents, contract.currency) })} <StatusBadge status={contract.status} />
      </p>
      <ol className="stages">
        {contract.stages.map((s) => (
          <li key={s.position}>
            {s.name} · {s.percent}% · {money(s.amountCents, contract.currency)}
          </li>
        ))}
      </ol>
      <p className="muted">
        {contract.customerSignedAt && t("project.customerSigned", { when: dateTime(contract.customerSignedAt) })}{" "}
        {contract.enterpriseSignedAt && t("project.enterpriseSigned", { when: dateTime(contract.enterpriseSignedAt) })}
      </p>
      {canSign && (
        <button type="button" onClick={async () => { const r = await doSign({ id: project.id, revision: contract.revision }); if (!r.error) refetch({ requestPolicy: "network-only" }); }}>
          {t("project.sign", { revision: contract.revision })}
        </button>
      )}
      <ErrorText error={sign.error} />
    </Card>
  );
}

function Records({ projectId, version }: { projectId: string; version: number }) {
  const { t, dateTime } = useI18n();
  const client = useClient();
  const [{ data }, refetch] = useQuery({ query: RECORDS, variables: { id: projectId }, requestPolicy: "network-only" });
  const [verified, setVerified] = useState<Record<string, boolean>>({});
  useEffect(() => refetch({ requestPolicy: "network-only" }), [version]); // eslint-disable-line react-hooks/exhaustive-deps
  const records = data?.projectRecords ?? [];
  return (
    <Card title={t("project.records")}>
      {records.length === 0 && <p className="muted">{t("project.noRecords")}</p>}
      <ul className="list">
        {records.map((r) => (
          <li key={r.id} className="record-item">
            <div>
              <strong>{r.filingNumber}</strong> · {t(`recordKind.${r.kind}` as MessageKey)} v{r.version} · {dateTime(r.filedAt)}
              <p className="hash" title={t("project.sha256")}>
                <span className="visually-hidden">{t("project.sha256")} </span>
                <code>{r.sha256}</code>
              </p>
            </div>
            <button
              type="button"
              className="secondary"
              onClick={async () => {
                const result = await client.query(VERIFY, { id: r.id, sha256: r.sha256 }, { requestPolicy: "network-only" }).toPromise();
                setVerified((v) => ({ ...v, [r.id]: !!result.data?.verifyProjectRecord.valid }));
              }}
            >
              {t("project.verify")}
            </button>
            {r.id in verified && (
              <span role="status" className={verified[r.id] ? "ok" : "error"}>
                {verified[r.id] ? t("project.verified") : t("project.tampered")}
              </span>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}

function Milestones({ project, version }: { project: Project; version: number }) {
  const { t, money } = useI18n();
  const [{ data }, refetch] = useQuery({ query: MILESTONES, variables: { id: project.id }, requestPolicy: "network-only" });
  const [report, doReport] = useMutation(REPORT);
  const [ready, doReady] = useMutation(READY);
  const [inspect, doInspect] = useMutation(INSPECT);
  const [approve, doApprove] = useMutation(APPROVE);
  const [drafts, setDrafts] = useState<Record<string, { percent: string; note: string; findings: string }>>({});
  useEffect(() => refetch({ requestPolicy: "network-only" }), [version]); // eslint-disable-line react-hooks/exhaustive-deps
  const roles = project.myRoles;
  const milestones = data?.milestones ?? [];
  const draft = (id: string) => drafts[id] ?? { percent: "", note: "", findings: "" };
  const setDraft = (id: string, change: Partial<{ percent: string; note: string; findings: string }>) =>
    setDrafts({ ...drafts, [id]: { ...draft(id), ...change } });
  const after = async (run: Promise<{ error?: unknown }>) => {
    const r = await run;
    if (!r.error) refetch({ requestPolicy: "network-only" });
  };
  return (
    <Card title={t("project.milestones")}>
      {milestones.length === 0 && <p className="muted">{t("project.noMilestones")}</p>}
      <ol className="milestones">
        {milestones.map((m) => (
          <li key={m.id} data-testid="milestone" data-milestone-id={m.id}>
            <div className="quote-head">
              <strong>
                {m.position}. {m.name}
              </strong>
              <StatusBadge status={m.status} />
            </div>
            <p className="muted">
              {money(m.amountCents, project.currency)} · {t("project.progress", { percent: m.progressPercent })}
            </p>
            <progress max={100} value={m.progressPercent} aria-label={t("project.progress", { percent: m.progressPercent })} />
            {roles.includes("PROJECT_MANAGER") && (m.status === "PENDING" || m.status === "IN_PROGRESS") && (
              <form
                className="row"
                onSubmit={(e) => {
                  e.preventDefault();
                  void after(doReport({ id: m.id, input: { percent: Number(draft(m.id).percent), note: draft(m.id).note } }));
                }}
              >
                <Field label={t("project.percent")} type="number" min={0} max={100} required value={draft(m.id).percent} onChange={(e) => setDraft(m.id, { percent: e.target.value })} />
                <Field label={t("project.note")} required value={draft(m.id).note} onChange={(e) => setDraft(m.id, { note: e.target.value })} />
                <button type="submit">{t("project.report")}</button>
              </form>
            )}
            {roles.includes("PROJECT_MANAGER") && m.status === "IN_PROGRESS" && m.progressPercent === 100 && (
              <button type="button" onClick={() => after(doReady({ id: m.id }))}>
                {t("project.markReady")}
              </button>
            )}
            {roles.includes("SUPERVISOR") && m.status === "READY_FOR_INSPECTION" && (
              <div className="inspect">
                <TextArea label={t("project.findings")} value={draft(m.id).findings} onChange={(e) => setDraft(m.id, { findings: e.target.value })} />
                <div className="row">
                  <button type="button" onClick={() => after(doInspect({ id: m.id, input: { passed: true, findings: draft(m.id).findings || "OK" } }))}>
                    {t("project.pass")}
                  </button>
                  <button type="button" className="danger" onClick={() => after(doInspect({ id: m.id, input: { passed: false, findings: draft(m.id).findings || "-" } }))}>
                    {t("project.fail")}
                  </button>
                </div>
              </div>
            )}
            {roles.includes("CUSTOMER") && m.status === "PASSED" && (
              <button type="button" onClick={() => after(doApprove({ id: m.id }))}>
                {t("project.approve")}
              </button>
            )}
          </li>
        ))}
      </ol>
      <ErrorText error={report.error ?? ready.error ?? inspect.error ?? approve.error} />
    </Card>
  );
}

function Escrow({ project, version }: { project: Project; version: number }) {
  const { t, money } = useI18n();
  const [{ data, error }, refetch] = useQuery({ query: STATEMENT, variables: { id: project.id }, requestPolicy: "network-only" });
  const [deposit, doDeposit] = useMutation(DEPOSIT);
  const [amount, setAmount] = useState("");
  useEffect(() => refetch({ requestPolicy: "network-only" }), [version]); // eslint-disable-line react-hooks/exhaustive-deps
  if (error || !data) return null; // not every participant may read the statement
  const s = data.projectStatement;
  const rows: [MessageKey, number][] = [
    ["escrow.total", s.contractTotalCents],
    ["escrow.deposited", s.depositedCents],
    ["escrow.released", s.releasedCents],
    ["escrow.held", s.heldCents],
    ["escrow.pending", s.pendingReleaseCents],
    ["escrow.outstanding", s.outstandingCents],
  ];
  return (
    <Card title={t("project.escrow")}>
      <dl className="facts">
        {rows.map(([key, cents]) => (
          <div key={key} className="fact">
            <dt>{t(key)}</dt>
            <dd>{money(cents, s.currency)}</dd>
          </div>
        ))}
      </dl>
      {project.myRoles.includes("CUSTOMER") && s.outstandingCents > 0 && (
        <form
          className="row"
          onSubmit={async (e) => {
            e.preventDefault();
            const cents = parseCents(amount);
            if (!cents) return;
            const r = await doDeposit({ id: project.id, input: { amountCents: cents, externalReference: crypto.randomUUID() } });
            if (!r.error) {
              setAmount("");
              refetch({ requestPolicy: "network-only" });
            }
          }}
        >
          <Field label={t("escrow.amount", { currency: s.currency })} inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
          <button type="submit">{t("escrow.deposit")}</button>
        </form>
      )}
      <ErrorText error={deposit.error} />
    </Card>
  );
}

function ProjectConversation({ projectId }: { projectId: string }) {
  const { t } = useI18n();
  const [{ data }] = useQuery({ query: THREAD, variables: { id: projectId } });
  if (!data) return null;
  return (
    <Card title={t("project.conversation")}>
      <Conversation threadId={data.projectThread.id} />
    </Card>
  );
}

export function ProjectPage() {
  const { id } = useParams<{ id: string }>();
  const { t, money, number } = useI18n();
  const [{ data, error, fetching }, refetch] = useQuery({ query: PROJECT, variables: { id }, requestPolicy: "network-only" });
  // Every new timeline entry may change a section: they re-read themselves.
  const [version, setVersion] = useState(0);
  const project = data?.project;
  if (!project) {
    return (
      <Page title={t("project.title")}>
        {fetching ? <p>{t("common.loading")}</p> : <p role="alert" className="error" data-testid="project-refused">{t("project.refused")}</p>}
        {error && !error.graphQLErrors.some((e) => e.extensions?.code === "NOT_FOUND") && <ErrorText error={error} />}
      </Page>
    );
  }
  return (
    <Page title={project.title} actions={<StatusBadge status={project.status} />}>
      <p className="muted">
        {project.address} · {t("projects.areaValue", { area: number(project.areaSqm) })} · {money(project.budgetCents, project.currency)} ·{" "}
        {project.myRoles.map((r) => t(`projectRole.${r}`)).join(", ")}
      </p>
      {!project.myRoles.includes("ADMIN") && (
        <p>
          <Link href={`/support?project=${project.id}`}>{t("project.askSupport")}</Link>
        </p>
      )}
      <div className="grid project">
        <Timeline
          projectId={project.id}
          onEntry={() => {
            setVersion((v) => v + 1);
            refetch({ requestPolicy: "network-only" });
          }}
        />
        {project.status === "PLANNING" && project.myRoles.includes("CUSTOMER") ? (
          <TeamPicker projectId={project.id} onAssigned={() => refetch({ requestPolicy: "network-only" })} />
        ) : (
          <Team project={project} />
        )}
        <ProjectAcceptance project={project} onChange={() => refetch({ requestPolicy: "network-only" })} />
        <Milestones project={project} version={version} />
        <Contract project={project} version={version} />
        <Escrow project={project} version={version} />
        <Records projectId={project.id} version={version} />
        <ProjectDesigns project={project} version={version} />
        <ProjectMaterials project={project} version={version} />
        <ProjectConversation projectId={project.id} />
      </div>
    </Page>
  );
}
