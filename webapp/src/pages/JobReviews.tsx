// After the customer accepted the work: each party's review of the other, offered until the
// API says the viewer gave it (Job.viewerHasReviewed, so a reload does not offer it again),
// and the service record filed with the customer's review.
import { useState, type ReactNode } from "react";
import { useMutation, useQuery, type CombinedError } from "urql";
import { graphql } from "../gql";
import { useI18n } from "../i18n";
import { useSession } from "../session";
import { Card, ErrorText, RatingInput, TextArea } from "../ui/kit";

const REVIEW_WORKER = graphql(`
  mutation ReviewJob($input: ReviewJobInput!) {
    reviewJob(input: $input) {
      id
      rating
    }
  }
`);
const REVIEW_CUSTOMER = graphql(`
  mutation ReviewCustomer($input: ReviewCustomerInput!) {
    reviewCustomer(input: $input) {
      id
      rating
    }
  }
`);
const SERVICE_RECORD = graphql(`
  query ServiceRecordOfJob($jobId: ID!) {
    serviceRecord(jobId: $jobId) {
      id
      filedAt
      content
      entries {
        kind
        content
        createdAt
      }
    }
  }
`);

type Sent = { error?: CombinedError };

/** The frame both review forms share: title, the star inputs, a comment, send. */
function ReviewForm({ title, children, send }: {
  title: string;
  children: ReactNode;
  send: (comment: string | null) => Promise<Sent>;
}) {
  const { t } = useI18n();
  const [comment, setComment] = useState("");
  const [error, setError] = useState<CombinedError | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="card"
      aria-label={title}
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        const done = await send(comment || null);
        setBusy(false);
        setError(done.error ?? null);
      }}
    >
      <h2>{title}</h2>
      {children}
      <TextArea label={t("review.comment")} value={comment} onChange={(e) => setComment(e.target.value)} />
      <ErrorText error={error} />
      <button type="submit" disabled={busy}>
        {t("review.send")}
      </button>
    </form>
  );
}

function ReviewWorker({ jobId, onDone }: { jobId: string; onDone: () => void }) {
  const { t } = useI18n();
  const [, review] = useMutation(REVIEW_WORKER);
  const [scores, setScores] = useState({ rating: 5, quality: 5, punctuality: 5, priceFairness: 5, cleanliness: 5 });
  return (
    <ReviewForm
      title={t("review.worker")}
      send={async (comment) => {
        const done = await review({ input: { jobId, ...scores, comment } });
        if (!done.error) onDone();
        return done;
      }}
    >
      {(Object.keys(scores) as (keyof typeof scores)[]).map((key) => (
        <RatingInput key={key} label={t(`review.${key}`)} value={scores[key]} onChange={(n) => setScores({ ...scores, [key]: n })} />
      ))}
    </ReviewForm>
  );
}

function ReviewCustomer({ jobId, onDone }: { jobId: string; onDone: () => void }) {
  const { t } = useI18n();
  const [, review] = useMutation(REVIEW_CUSTOMER);
  const [rating, setRating] = useState(5);
  return (
    <ReviewForm
      title={t("review.customer")}
      send={async (comment) => {
        const done = await review({ input: { jobId, rating, comment } });
        if (!done.error) onDone();
        return done;
      }}
    >
      <RatingInput label={t("review.rating")} value={rating} onChange={setRating} />
    </ReviewForm>
  );
}

function ServiceRecord({ jobId }: { jobId: string }) {
  const { t, dateTime } = useI18n();
  const [{ data }] = useQuery({ query: SERVICE_RECORD, variables: { jobId }, requestPolicy: "network-only" });
  const record = data?.serviceRecord;
  if (!record) return null;
  const content = record.content as { pointsEarned?: Record<string, number> | number };
  return (
    <Card title={t("record.title")} className="record">
      <p data-testid="service-record">{t("record.filed", { when: dateTime(record.filedAt) })}</p>
      {content.pointsEarned !== undefined && <p>{t("record.points", { points: JSON.stringify(content.pointsEarned) })}</p>}
      <ul>
        {record.entries.map((entry, i) => (
          <li key={i}>
            {entry.kind} · {dateTime(entry.createdAt)}
          </li>
        ))}
      </ul>
    </Card>
  );
}

export function JobReviews({ job, isCustomer, isHired, onReviewed }: {
  job: { id: string; status: string; viewerHasReviewed?: boolean | null };
  isCustomer: boolean;
  isHired: boolean;
  onReviewed: () => void;
}) {
  const { t } = useI18n();
  const { refreshViewer } = useSession();
  // Set by this page's own review: thanks now; after a reload the API's answer says "done".
  const [thanked, setThanked] = useState(false);
  const finished = job.status === "ACCEPTED" || job.status === "CLOSED";
  if (!finished || !(isCustomer || isHired)) return null;
  const done = () => {
    setThanked(true);
    refreshViewer();
    onReviewed();
  };
  const open = job.status === "ACCEPTED" && job.viewerHasReviewed === false && !thanked;
  return (
    <>
      {open && isCustomer && <ReviewWorker jobId={job.id} onDone={done} />}
      {open && isHired && <ReviewCustomer jobId={job.id} onDone={done} />}
      {thanked && <p role="status" className="notice">{t("review.thanks")}</p>}
      {!thanked && job.viewerHasReviewed && <p className="notice" data-testid="review-done">{t("review.done")}</p>}
      {/* Keyed by the review state: the record is filed with the customer's review. */}
      <ServiceRecord key={`${job.viewerHasReviewed}:${job.status}:${thanked}`} jobId={job.id} />
    </>
  );
}
