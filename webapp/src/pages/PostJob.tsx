// Customer: post a repair job (category, text, address, location, budget, preferred window).
import { useState } from "react";
import { useLocation } from "wouter";
import { useMutation } from "urql";
import { graphql } from "../gql";
import type { ServiceCategory } from "../gql/graphql";
import { useI18n } from "../i18n";
import { useSession } from "../session";
import { CATEGORIES, CategoryIcon, ErrorText, Field, Page, TextArea, localToIso, parseCents } from "../ui/kit";

const POST_JOB = graphql(`
  mutation PostJob($input: PostJobInput!) {
    postJob(input: $input) {
      id
      matchCount
    }
  }
`);

export function LocationFields({ lat, lng, onChange }: {
  lat: string;
  lng: string;
  onChange: (lat: string, lng: string) => void;
}) {
  const { t } = useI18n();
  const [status, setStatus] = useState<string | null>(null);
  return (
    <fieldset className="location">
      <legend>{t("job.location")}</legend>
      <div className="row">
        <Field label={t("job.lat")} inputMode="decimal" required value={lat} onChange={(e) => onChange(e.target.value, lng)} />
        <Field label={t("job.lng")} inputMode="decimal" required value={lng} onChange={(e) => onChange(lat, e.target.value)} />
      </div>
      <button
        type="button"
        className="secondary"
        onClick={() => {
          if (!("geolocation" in navigator)) return setStatus(t("job.geoUnavailable"));
          setStatus(t("job.geoLocating"));
          navigator.geolocation.getCurrentPosition(
            (position) => {
              onChange(position.coords.latitude.toFixed(5), position.coords.longitude.toFixed(5));
              setStatus(t("job.geoDone"));
            },
            () => setStatus(t("job.geoUnavailable")),
            { timeout: 10_000 },
          );
        }}
      >
        {t("job.useMyLocation")}
      </button>
      {status && <p role="status" className="hint">{status}</p>}
    </fieldset>
  );
}

export function PostJob() {
  const { t } = useI18n();
  const { currency } = useSession();
  const [, navigate] = useLocation();
  const [result, post] = useMutation(POST_JOB);
  const [category, setCategory] = useState<ServiceCategory>("PIPES");
  const [form, setForm] = useState({
    title: "",
    description: "",
    address: "",
    lat: "",
    lng: "",
    budgetMin: "",
    budgetMax: "",
    start: "",
    end: "",
  });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  return (
    <Page title={t("job.postTitle")}>
      <form
        className="card"
        onSubmit={async (e) => {
          e.preventDefault();
          const done = await post({
            input: {
              category,
              title: form.title,
              description: form.description,
              address: form.address,
              location: { lat: Number(form.lat), lng: Number(form.lng) },
              budgetMinCents: parseCents(form.budgetMin),
              budgetMaxCents: parseCents(form.budgetMax),
              preferredStart: localToIso(form.start),
              preferredEnd: localToIso(form.end),
            },
          });
          if (done.data) navigate(`/jobs/${done.data.postJob.id}`);
        }}
      >
        <fieldset className="categories">
          <legend>{t("job.category")}</legend>
          {CATEGORIES.map((c) => (
            <label key={c} className="category-choice">
              <input type="radio" name="category" value={c} checked={category === c} onChange={() => setCategory(c)} />
              <span>
                <CategoryIcon category={c} />
                {t(`category.${c}`)}
              </span>
            </label>
          ))}
        </fieldset>
        <Field label={t("job.title")} required maxLength={120} value={form.title} onChange={set("title")} />
        <TextArea label={t("job.description")} required maxLength={4000} value={form.description} onChange={set("description")} />
        <Field label={t("job.address")} required maxLength={300} autoComplete="street-address" value={form.address} onChange={set("address")} />
        <LocationFields lat={form.lat} lng={form.lng} onChange={(lat, lng) => setForm({ ...form, lat, lng })} />
        <fieldset>
          <legend>{t("job.budget", { currency })}</legend>
          <div className="row">
            <Field label={t("job.budgetMin")} inputMode="decimal" value={form.budgetMin} onChange={set("budgetMin")} />
            <Field label={t("job.budgetMax")} inputMode="decimal" value={form.budgetMax} onChange={set("budgetMax")} />
          </div>
        </fieldset>
        <fieldset>
          <legend>{t("job.window")}</legend>
          <div className="row">
            <Field label={t("job.windowStart")} type="datetime-local" value={form.start} onChange={set("start")} />
            <Field label={t("job.windowEnd")} type="datetime-local" value={form.end} onChange={set("end")} />
          </div>
        </fieldset>
        <ErrorText error={result.error} />
        <button type="submit" disabled={result.fetching}>
          {t("job.post")}
        </button>
      </form>
    </Page>
  );
}
