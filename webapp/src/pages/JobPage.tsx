// One job, for its customer and for workers: the live quote board (quotes slide in as they
// are sent), hire, the live timeline, accept, reviews both ways and the service record.
import { useEffect, useMemo, useState } from "react";
import { Link, useParams } from "wouter";
import { useMutation, useQuery } from "urql";
import { mergeById, useLive, useOnReconnect } from "../feeds/live";
import { useNotifications } from "../feeds/notifications";
import { graphql } from "../gql";
import type { JobFieldsFragment, QuoteFieldsFragment } from "../gql/graphql";
import { useI18n } from "../i18n";
import { useSession } from "../session";
import {
  Card,
  CategoryLabel,
  ErrorText,
  Field,
  Page,
  Stars,
  StatusBadge,
  isoToLocalInput,
  localToIso,
  parseCents,
} from "../ui/kit";
import { MatchReasons } from "../ui/MatchReasons";
import { CANCELLABLE, CancelJob } from "./CancelJob";
import { JobReviews } from "./JobReviews";
import { JobThreads } from "./Threads";

// The worker as the quote board and the hire show them: one fragment for the three places.
graphql(`
  fragment WorkerSummary on Worker {
    id
    displayName
    ratingAverage
    ratingCount
    completedJobs
  }
`);

graphql(`
  fragment QuoteFields on Quote {
    id
    amountCents
    currency
    message
    earliestStart
    status
    createdAt
    worker {
      ...WorkerSummary
    }
    match {
      distanceKm
      reasons {
        ...MatchReasonFields
      }
    }
  }
`);

graphql(`
  fragment JobFields on Job {
    id
    status
    category
    title
    description
    address
    currency
    budgetMinCents
    budgetMaxCents
    preferredStart
    preferredEnd
    matchCount
    quoteCount
    scheduledAt
    cancelReason
    createdAt
    viewerHasReviewed
    customer {
      id
      displayName
      ratingAverage
      ratingCount
    }
    hiredWorker {
      ...WorkerSummary
    }
    myMatch {
      distanceKm
      reasons {
        ...MatchReasonFields
      }
    }
    quotes {
      ...QuoteFields
    }
  }
`);

const JOB = graphql(`
  query JobPage($id: ID!) {
    job(id: $id) {
      ...JobFields
    }
  }
`);

const QUOTE_RECEIVED = graphql(`
  subscription QuoteReceived($jobId: ID!) {
    quoteReceived(jobId: $jobId) {
      ...QuoteFields
    }
  }
`);

const JOB_UPDATED = graphql(`
  subscription JobUpdated($jobId: ID!) {
    jobUpdated(jobId: $jobId) {
      id
      status
      scheduledAt
      quoteCount
      hiredWorker {
        ...WorkerSummary
      }
    }
  }
`);

const HIRE = graphql(`
  mutation Hire($quoteId: ID!) {
    acceptQuote(quoteId: $quoteId) {
      id
      status
    }
  }
`);
const SUBMIT_QUOTE = graphql(`
  mutation SubmitQuote($input: SubmitQuoteInput!) {
    submitQuote(input: $input) {
      ...QuoteFields
    }
  }
`);
const WITHDRAW = graphql(`
  mutation WithdrawQuote($quoteId: ID!) {
    withdrawQuote(quoteId: $quoteId) {
      id
      status
    }
  }
`);
const SCHEDULE = graphql(`
  mutation ScheduleJob($jobId: ID!, $at: DateTime!) {
    scheduleJob(jobId: $jobId, scheduledAt: $at) {
      id
      status
      scheduledAt
    }
  }
`);
const START = graphql(`
  mutation StartJob($jobId: ID!) {
    startJob(jobId: $jobId) {
      id
      status
    }
  }
`);
const COMPLETE = graphql(`
  mutation CompleteJob($jobId: ID!) {
    completeJob(jobId: $jobId) {
      id
      status
    }
  }
`);
const ACCEPT = graphql(`
  mutation AcceptJob($jobId: ID!) {
    acceptJob(jobId: $jobId) {
      id
      status
    }
  }
`);

const STEPS = ["OPEN", "HIRED", "SCHEDULED", "IN_PROGRESS", "COMPLETED", "ACCEPTED", "CLOSED"] as const;

function Timeline({ job }: { job: Pick<JobFieldsFragment, "status" | "scheduledAt"> }) {
  const { t, dateTime } = useI18n();
  const reached = STEPS.indexOf(job.status as (typeof STEPS)[number]);
  return (
    <ol className="timeline" aria-label={t("job.timeline")} data-testid="job-timeline">
      {STEPS.map((step, i) => (
        <li key={step} className={i < reached ? "done" : i === reached ? "current" : ""} aria-current={i === reached ? "step" : undefined}>
          {t(`status.${step}`)}
          {step === "SCHEDULED" && job.scheduledAt && <small> {dateTime(job.scheduledAt)}</small>}
        </li>
      ))}
    </ol>
  );
}

function QuoteBoard({ job, quotes, onHired }: { job: JobFieldsFragment; quotes: QuoteFieldsFragment[]; onHired: () => void }) {
  const { t, money, km, dateTime, number } = useI18n();
  const [sort, setSort] = useState<"price" | "rating" | "time">("time");
  const [hire, doHire] = useMutation(HIRE);
  const sorted = useMemo(() => {
    const list = [...quotes];
    if (sort === "price") list.sort((a, b) => a.amountCents - b.amountCents);
    if (sort === "rating") list.sort((a, b) => (b.worker.ratingAverage ?? 0) - (a.worker.ratingAverage ?? 0));
    return list;
  }, [quotes, sort]);
  return (
    <Card title={t("quotes.title", { count: quotes.length })} className="board">
      <div className="sort" role="group" aria-label={t("quotes.sortBy")}>
        {(["time", "price", "rating"] as const).map((key) => (
          <button key={key} type="button" className="chip" aria-pressed={sort === key} onClick={() => setSort(key)}>
            {t(`quotes.sort.${key}`)}
          </button>
        ))}
      </div>
      {sorted.length === 0 && <p className="muted">{t("quotes.none")}</p>}
      <ul className="quotes" aria-live="polite" data-testid="quote-board">
        {sorted.map((quote) => (
          <li key={quote.id} className="quote" data-testid="quote" data-quote-id={quote.id}>
            <div className="quote-head">
              <strong className="amount">{money(quote.amountCents, quote.currency)}</strong>
              <StatusBadge status={quote.status} />
            </div>
            <p>
              <strong>{quote.worker.displayName}</strong> <Stars value={quote.worker.ratingAverage} count={quote.worker.ratingCount} />
            </p>
            <p className="muted">
              {t("quotes.track", { completed: number(quote.worker.completedJobs, 0), reviews: number(quote.worker.ratingCount, 0) })}
              {quote.match && ` · ${km(quote.match.distanceKm)}`}
            </p>
            {quote.message && <p>{quote.message}</p>}
            {quote.earliestStart && <p className="muted">{t("quotes.earliest", { when: dateTime(quote.earliestStart) })}</p>}
            {quote.match && quote.match.reasons.length > 0 && <MatchReasons reasons={quote.match.reasons} />}
            {job.status === "OPEN" && quote.status === "PENDING" && (
              <button
                type="button"
                disabled={hire.fetching}
                onClick={async () => {
                  const done = await doHire({ quoteId: quote.id });
                  if (!done.error) onHired();
                }}
              >
                {t("quotes.hire", { name: quote.worker.displayName })}
              </button>
            )}
          </li>
        ))}
      </ul>
      <ErrorText error={hire.error} />
    </Card>
  );
}

function QuoteForm({ job, onQuoted }: { job: JobFieldsFragment; onQuoted: (q: QuoteFieldsFragment) => void }) {
  const { t } = useI18n();
  const [result, submit] = useMutation(SUBMIT_QUOTE);
  const [amount, setAmount] = useState("");
  const [message, setMessage] = useState("");
  const [start, setStart] = useState("");
  return (
    <form
      className="quote-form"
      onSubmit={async (e) => {
        e.preventDefault();
        const cents = parseCents(amount);
        if (cents === null) return;
        const done = await submit({
          input: { jobId: job.id, amountCents: cents, message: message || null, earliestStart: localToIso(start) },
        });
        if (done.data) onQuoted(done.data.submitQuote);
      }}
    >
      <Field label={t("quotes.amount", { currency: job.currency })} inputMode="decimal" required value={amount} onChange={(e) => setAmount(e.target.value)} />
      <Field label={t("quotes.message")} value={message} maxLength={1000} onChange={(e) => setMessage(e.target.value)} />
      <Field label={t("quotes.earliestStart")} type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} />
      <ErrorText error={result.error} />
      <button type="submit" disabled={result.fetching}>
        {t("quotes.send")}
      </button>
    </form>
  );
}

export function JobPage() {
  const { id } = useParams<{ id: string }>();
  const { t, money, dateTime, km } = useI18n();
  const { viewer } = useSession();
  const [{ data, error, fetching }, refetch] = useQuery({ query: JOB, variables: { id }, requestPolicy: "network-only" });
  const [live, setLive] = useState<{ quotes: QuoteFieldsFragment[]; job: Partial<JobFieldsFragment> }>({ quotes: [], job: {} });
  const [schedule, doSchedule] = useMutation(SCHEDULE);
  const [start, doStart] = useMutation(START);
  const [complete, doComplete] = useMutation(COMPLETE);
  const [accept, doAccept] = useMutation(ACCEPT);
  const [withdraw, doWithdraw] = useMutation(WITHDRAW);
  const [when, setWhen] = useState(() => isoToLocalInput(new Date(Date.now() + 86_400_000)));
  const reload = () => refetch({ requestPolicy: "network-only" });

  const quotedByMe = data?.job?.quotes.some((q) => q.worker.id === viewer?.id) || live.quotes.some((q) => q.worker.id === viewer?.id);
  useLive(QUOTE_RECEIVED, () => ({ jobId: id }), (d) => setLive((s) => ({ ...s, quotes: mergeById(s.quotes, [d.quoteReceived], "append") })), [id]);
  // A worker may follow the job once it has quoted: subscribe again then.
  useLive(JOB_UPDATED, () => ({ jobId: id }), (d) => {
    setLive((s) => ({ ...s, job: { ...s.job, ...d.jobUpdated } }));
    reload();
  }, [id, quotedByMe]);
  useOnReconnect(reload);
  const { onArrival } = useNotifications();
  useEffect(
    () =>
      onArrival((n) => {
        if (String((n.data as { jobId?: unknown } | null)?.jobId) === id) reload();
      }),
    [id], // eslint-disable-line react-hooks/exhaustive-deps
  );

  if (error) return <Page title={t("job.title")}><ErrorText error={error} /></Page>;
  if (!data?.job) return <Page title={t("job.title")}><p>{fetching ? t("common.loading") : t("job.notFound")}</p></Page>;
  // The last read of the job is the freshest; live entries add what arrived since.
  const job = { ...live.job, ...data.job } as JobFieldsFragment;
  const quotes = [...data.job.quotes, ...live.quotes.filter((q) => !data.job!.quotes.some((s) => s.id === q.id))];
  const isCustomer = viewer?.id === job.customer.id;
  const isHired = viewer?.id === job.hiredWorker?.id;
  const myQuote = quotes.find((q) => q.worker.id === viewer?.id && q.status !== "WITHDRAWN");
  const act = async (run: () => Promise<{ error?: unknown }>) => {
    const done = await run();
    if (!done.error) reload();
  };

  return (
    <Page title={job.title} actions={<StatusBadge status={job.status} />}>
      <div className="grid">
        <Card title={t("job.details")}>
          <p>
            <CategoryLabel category={job.category} />
          </p>
          <p>{job.description}</p>
          <dl className="facts">
            <dt>{t("job.address")}</dt>
            <dd>{job.address}</dd>
            {(job.budgetMinCents != null || job.budgetMaxCents != null) && (
              <>
                <dt>{t("job.budgetShort")}</dt>
                <dd>
                  {job.budgetMinCents != null ? money(job.budgetMinCents, job.currency) : "—"} – {job.budgetMaxCents != null ? money(job.budgetMaxCents, job.currency) : "—"}
                </dd>
              </>
            )}
            {job.preferredStart && (
              <>
                <dt>{t("job.window")}</dt>
                <dd>
                  {dateTime(job.preferredStart)} – {job.preferredEnd ? dateTime(job.preferredEnd) : "—"}
                </dd>
              </>
            )}
            <dt>{t("job.customer")}</dt>
            <dd>
              {job.customer.displayName} <Stars value={job.customer.ratingAverage} count={job.customer.ratingCount} />
            </dd>
            {job.myMatch && (
              <>
                <dt>{t("match.distance")}</dt>
                <dd>{km(job.myMatch.distanceKm)}</dd>
              </>
            )}
            <dt>{t("job.posted")}</dt>
            <dd>{dateTime(job.createdAt)}</dd>
          </dl>
          {job.myMatch && <MatchReasons reasons={job.myMatch.reasons} />}
          <Timeline job={job} />
          {job.status === "CANCELLED" && job.cancelReason && (
            <p data-testid="cancel-reason">{t("job.cancelledBecause", { reason: job.cancelReason })}</p>
          )}
          {job.hiredWorker && (
            <p data-testid="hired-worker">
              {t("job.hired", { name: job.hiredWorker.displayName })}
            </p>
          )}
        </Card>

        {isCustomer && <QuoteBoard job={job} quotes={quotes} onHired={reload} />}
        {isCustomer && CANCELLABLE.includes(job.status) && <CancelJob jobId={job.id} onCancelled={reload} />}

        {!isCustomer && viewer?.role === "WORKER" && (
          <Card title={t("job.yourPart")}>
            {myQuote && (
              <p data-testid="my-quote">
                {t("quotes.yours", { amount: money(myQuote.amountCents, myQuote.currency) })} <StatusBadge status={myQuote.status} />
              </p>
            )}
            {job.status === "OPEN" && !myQuote && job.myMatch && (
              <QuoteForm job={job} onQuoted={(q) => setLive((s) => ({ ...s, quotes: mergeById(s.quotes, [q], "append") }))} />
            )}
            {job.status === "OPEN" && myQuote?.status === "PENDING" && (
              <button type="button" className="secondary" onClick={() => act(() => doWithdraw({ quoteId: myQuote.id }))}>
                {t("quotes.withdraw")}
              </button>
            )}
            {isHired && job.status === "HIRED" && (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  const at = localToIso(when);
                  if (at) void act(() => doSchedule({ jobId: job.id, at }));
                }}
              >
                <Field label={t("job.scheduleAt")} type="datetime-local" required value={when} onChange={(e) => setWhen(e.target.value)} />
                <button type="submit" disabled={schedule.fetching}>
                  {t("job.schedule")}
                </button>
              </form>
            )}
            {isHired && job.status === "SCHEDULED" && (
              <button type="button" onClick={() => act(() => doStart({ jobId: job.id }))}>
                {t("job.start")}
              </button>
            )}
            {isHired && job.status === "IN_PROGRESS" && (
              <button type="button" onClick={() => act(() => doComplete({ jobId: job.id }))}>
                {t("job.complete")}
              </button>
            )}
            <ErrorText error={schedule.error ?? start.error ?? complete.error ?? withdraw.error} />
          </Card>
        )}

        {isCustomer && job.status === "COMPLETED" && (
          <Card title={t("job.acceptTitle")}>
            <p>{t("job.acceptHint")}</p>
            <button type="button" onClick={() => act(() => doAccept({ jobId: job.id }))} disabled={accept.fetching}>
              {t("job.accept")}
            </button>
            <ErrorText error={accept.error} />
          </Card>
        )}

        <JobReviews job={job} isCustomer={isCustomer} isHired={isHired} onReviewed={reload} />
        {(isCustomer || myQuote || isHired) && <JobThreads jobId={job.id} version={`${quotes.length}:${job.status}`} />}
      </div>
      <p>
        <Link href="/">{t("common.back")}</Link>
      </p>
    </Page>
  );
}
