// Workers: the live feed of matching jobs, their profile, and the jobs they are hired on.
// Customers: the jobs they posted.
import { useEffect, useState } from "react";
import { Link } from "wouter";
import { useMutation, useQuery } from "urql";
import { mergeById, useLive, useOnReconnect } from "../feeds/live";
import { graphql } from "../gql";
import type { FeedJobFragment, ServiceCategory } from "../gql/graphql";
import { useI18n } from "../i18n";
import { useSession } from "../session";
import { CATEGORIES, CategoryIcon, CategoryLabel, Card, ErrorText, Field, Page, StatusBadge, TextArea } from "../ui/kit";
import { MatchReasons } from "../ui/MatchReasons";
import { LocationFields } from "./PostJob";

graphql(`
  fragment FeedJob on Job {
    id
    title
    category
    status
    address
    currency
    budgetMinCents
    budgetMaxCents
    createdAt
    quoteCount
    myMatch {
      distanceKm
      reasons {
        ...MatchReasonFields
      }
    }
  }
`);

const MATCHED = graphql(`
  query MatchedJobs {
    myMatchedJobs(first: 30, status: OPEN) {
      edges {
        node {
          job {
            ...FeedJob
          }
        }
      }
    }
  }
`);

const MATCHING_JOBS = graphql(`
  subscription MatchingJobs {
    matchingJobs {
      ...FeedJob
    }
  }
`);

const MY_JOBS = graphql(`
  query MyJobs {
    myJobs(first: 50) {
      edges {
        node {
          id
          title
          category
          status
          createdAt
          quoteCount
          currency
          hiredWorker {
            displayName
          }
        }
      }
    }
  }
`);

const UPDATE_PROFILE = graphql(`
  mutation UpdateWorkerProfile($input: WorkerProfileInput!) {
    updateWorkerProfile(input: $input) {
      id
      categories
      available
      serviceRadiusKm
    }
  }
`);

function FeedItem({ job }: { job: FeedJobFragment }) {
  const { t, km, money, dateTime } = useI18n();
  return (
    <li className="feed-item" data-testid="feed-job" data-job-id={job.id}>
      <div className="quote-head">
        <CategoryLabel category={job.category} />
        {job.myMatch && <span className="muted">{km(job.myMatch.distanceKm)}</span>}
      </div>
      <h3>
        <Link href={`/jobs/${job.id}`}>{job.title}</Link>
      </h3>
      <p className="muted">
        {job.address} · {dateTime(job.createdAt)}
        {job.budgetMaxCents != null && ` · ${t("job.upTo", { amount: money(job.budgetMaxCents, job.currency) })}`}
      </p>
      {job.myMatch && <MatchReasons reasons={job.myMatch.reasons} />}
      <Link href={`/jobs/${job.id}`} className="button">
        {t("feed.quote")}
      </Link>
    </li>
  );
}

export function WorkerFeed() {
  const { t } = useI18n();
  const { viewer } = useSession();
  const [{ data }, refetch] = useQuery({ query: MATCHED, requestPolicy: "network-only" });
  const [live, setLive] = useState<FeedJobFragment[]>([]);
  useLive(MATCHING_JOBS, () => ({}), (d) => setLive((list) => mergeById(list, [d.matchingJobs], "prepend")), []);
  useOnReconnect(() => refetch({ requestPolicy: "network-only" }));
  const snapshot = data?.myMatchedJobs.edges.map((e) => e.node.job) ?? [];
  const jobs = mergeById(snapshot, live.filter((j) => !snapshot.some((s) => s.id === j.id)), "prepend");
  const profile = viewer?.workerProfile;
  return (
    <Page title={t("feed.title")}>
      {!profile?.categories.length && (
        <p className="notice">
          {t("feed.noProfile")} <Link href="/profile">{t("nav.profile")}</Link>
        </p>
      )}
      {profile && profile.available === false && <p className="notice">{t("feed.unavailable")}</p>}
      <p className="muted">{t("feed.hint")}</p>
      {jobs.length === 0 && <p className="muted">{t("feed.empty")}</p>}
      <ul className="feed" aria-live="polite" data-testid="job-feed">
        {jobs.map((job) => (
          <FeedItem key={job.id} job={job} />
        ))}
      </ul>
    </Page>
  );
}

export function MyJobs() {
  const { t, dateTime } = useI18n();
  const { viewer } = useSession();
  const [{ data, error }] = useQuery({ query: MY_JOBS, requestPolicy: "cache-and-network" });
  const jobs = data?.myJobs.edges.map((e) => e.node) ?? [];
  return (
    <Page
      title={viewer?.role === "WORKER" ? t("jobs.hiredTitle") : t("jobs.postedTitle")}
      actions={
        viewer?.role === "CUSTOMER" ? (
          <Link href="/jobs/new" className="button">
            {t("nav.postJob")}
          </Link>
        ) : undefined
      }
    >
      <ErrorText error={error} />
      {jobs.length === 0 && <p className="muted">{t("jobs.none")}</p>}
      <ul className="list">
        {jobs.map((job) => (
          <li key={job.id} className="list-item">
            <CategoryIcon category={job.category} />
            <div>
              <Link href={`/jobs/${job.id}`}>{job.title}</Link>
              <p className="muted">
                {dateTime(job.createdAt)} · {t("jobs.quotes", { count: job.quoteCount })}
                {job.hiredWorker && ` · ${job.hiredWorker.displayName}`}
              </p>
            </div>
            <StatusBadge status={job.status} />
          </li>
        ))}
      </ul>
    </Page>
  );
}

export function WorkerProfile() {
  const { t } = useI18n();
  const { viewer, refreshViewer } = useSession();
  const profile = viewer?.workerProfile;
  const [result, save] = useMutation(UPDATE_PROFILE);
  const [saved, setSaved] = useState(false);
  const [form, setForm] = useState({
    categories: [] as ServiceCategory[],
    lat: "",
    lng: "",
    radius: "25",
    bio: "",
    available: true,
  });
  useEffect(() => {
    if (profile)
      setForm({
        categories: profile.categories,
        lat: profile.location ? String(profile.location.lat) : "",
        lng: profile.location ? String(profile.location.lng) : "",
        radius: String(profile.serviceRadiusKm ?? 25),
        bio: profile.bio ?? "",
        available: profile.available ?? true,
      });
  }, [profile?.id]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <Page title={t("profile.title")}>
      <form
        className="card"
        onSubmit={async (e) => {
          e.preventDefault();
          setSaved(false);
          const done = await save({
            input: {
              categories: form.categories,
              location: { lat: Number(form.lat), lng: Number(form.lng) },
              serviceRadiusKm: Number(form.radius),
              bio: form.bio || null,
              available: form.available,
            },
          });
          if (!done.error) {
            setSaved(true);
            refreshViewer();
          }
        }}
      >
        <fieldset className="categories">
          <legend>{t("profile.categories")}</legend>
          {CATEGORIES.map((c) => (
            <label key={c} className="category-choice">
              <input
                type="checkbox"
                checked={form.categories.includes(c)}
                onChange={(e) =>
                  setForm({
                    ...form,
                    categories: e.target.checked ? [...form.categories, c] : form.categories.filter((x) => x !== c),
                  })
                }
              />
              <span>
                <CategoryIcon category={c} />
                {t(`category.${c}`)}
              </span>
            </label>
          ))}
        </fieldset>
        <LocationFields lat={form.lat} lng={form.lng} onChange={(lat, lng) => setForm({ ...form, lat, lng })} />
        <Field
          label={t("profile.radius")}
          type="range"
          min={1}
          max={200}
          value={form.radius}
          onChange={(e) => setForm({ ...form, radius: e.target.value })}
          hint={t("profile.radiusValue", { km: form.radius })}
        />
        <TextArea label={t("profile.bio")} value={form.bio} maxLength={2000} onChange={(e) => setForm({ ...form, bio: e.target.value })} />
        <label className="switch">
          <input type="checkbox" role="switch" checked={form.available} onChange={(e) => setForm({ ...form, available: e.target.checked })} />
          <span>{t("profile.available")}</span>
        </label>
        <ErrorText error={result.error} />
        {saved && <p role="status" className="notice">{t("profile.saved")}</p>}
        <button type="submit" disabled={result.fetching}>
          {t("common.save")}
        </button>
      </form>
      {profile && <WorkerReviews workerId={profile.id} />}
    </Page>
  );
}

const WORKER_REVIEWS = graphql(`
  query WorkerReviews($id: ID!) {
    worker(id: $id) {
      id
      ratingAverage
      ratingCount
      completedJobs
      reviews(first: 20) {
        edges {
          node {
            id
            rating
            comment
            reply
            createdAt
            customer {
              displayName
            }
          }
        }
      }
    }
  }
`);

const REPLY = graphql(`
  mutation ReplyToReview($reviewId: ID!, $text: String!) {
    replyToReview(reviewId: $reviewId, text: $text) {
      id
      reply
    }
  }
`);

function WorkerReviews({ workerId }: { workerId: string }) {
  const { t, dateTime } = useI18n();
  const [{ data }] = useQuery({ query: WORKER_REVIEWS, variables: { id: workerId } });
  const [reply, doReply] = useMutation(REPLY);
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const reviews = data?.worker?.reviews.edges.map((e) => e.node) ?? [];
  return (
    <Card title={t("profile.reviews", { count: data?.worker?.ratingCount ?? 0 })}>
      {reviews.length === 0 && <p className="muted">{t("profile.noReviews")}</p>}
      <ul className="list">
        {reviews.map((r) => (
          <li key={r.id} className="review">
            <p>
              <strong>{r.customer.displayName}</strong> {"★".repeat(r.rating)} · {dateTime(r.createdAt)}
            </p>
            {r.comment && <p>{r.comment}</p>}
            {r.reply ? (
              <p className="muted">{t("profile.yourReply", { text: r.reply })}</p>
            ) : (
              <form
                className="row"
                onSubmit={(e) => {
                  e.preventDefault();
                  void doReply({ reviewId: r.id, text: drafts[r.id] ?? "" });
                }}
              >
                <Field label={t("profile.reply")} value={drafts[r.id] ?? ""} onChange={(e) => setDrafts({ ...drafts, [r.id]: e.target.value })} />
                <button type="submit">{t("common.send")}</button>
              </form>
            )}
          </li>
        ))}
      </ul>
      <ErrorText error={reply.error} />
    </Card>
  );
}
