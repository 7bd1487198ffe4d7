// Renovation: the projects you take part in, and a customer's new project.
import { useState } from "react";
import { Link, useLocation } from "wouter";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { useI18n } from "../i18n";
import { useSession } from "../session";
import { ErrorText, Field, Page, StatusBadge, TextArea, parseCents } from "../ui/kit";
import { LocationFields } from "./PostJob";

const PROJECTS = graphql(`
  query Projects {
    projects(first: 50) {
      edges {
        node {
          id
          title
          address
          status
          myRoles
          budgetCents
          currency
          createdAt
        }
      }
    }
  }
`);

const CREATE_PROJECT = graphql(`
  mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) {
      id
    }
  }
`);

export function ProjectList() {
  const { t, money } = useI18n();
  const { viewer } = useSession();
  const [{ data, error }] = useQuery({ query: PROJECTS, requestPolicy: "cache-and-network" });
  const projects = data?.projects.edges.map((e) => e.node) ?? [];
  return (
    <Page
      title={t("projects.title")}
      actions={
        viewer?.role === "CUSTOMER" ? (
          <Link href="/projects/new" className="button">
            {t("projects.new")}
          </Link>
        ) : undefined
      }
    >
      <ErrorText error={error} />
      {projects.length === 0 && <p className="muted">{t("projects.none")}</p>}
      <ul className="list">
        {projects.map((p) => (
          <li key={p.id} className="list-item">
            <div>
              <Link href={`/projects/${p.id}`}>{p.title}</Link>
              <p className="muted">
                {p.address} · {money(p.budgetCents, p.currency)} · {p.myRoles.map((r) => t(`projectRole.${r}`)).join(", ")}
              </p>
            </div>
            <StatusBadge status={p.status} />
          </li>
        ))}
      </ul>
    </Page>
  );
}

export function NewProject() {
  const { t } = useI18n();
  const { currency } = useSession();
  const [, navigate] = useLocation();
  const [result, create] = useMutation(CREATE_PROJECT);
  const [form, setForm] = useState({ title: "", address: "", lat: "", lng: "", area: "", budget: "", description: "" });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  return (
    <Page title={t("projects.new")}>
      <form
        className="card"
        onSubmit={async (e) => {
          e.preventDefault();
          const done = await create({
            input: {
              title: form.title,
              address: form.address,
              location: { lat: Number(form.lat), lng: Number(form.lng) },
              areaSqm: Number(form.area),
              budgetCents: parseCents(form.budget) ?? 0,
              description: form.description,
            },
          });
          if (done.data) navigate(`/projects/${done.data.createProject.id}`);
        }}
      >
        <Field label={t("projects.name")} required value={form.title} onChange={set("title")} />
        <Field label={t("job.address")} required value={form.address} onChange={set("address")} />
        <LocationFields lat={form.lat} lng={form.lng} onChange={(lat, lng) => setForm({ ...form, lat, lng })} />
        <Field label={t("projects.area")} inputMode="decimal" required value={form.area} onChange={set("area")} />
        <Field label={t("projects.budget", { currency })} inputMode="decimal" required value={form.budget} onChange={set("budget")} />
        <TextArea label={t("job.description")} value={form.description} onChange={set("description")} />
        <ErrorText error={result.error} />
        <button type="submit" disabled={result.fetching}>
          {t("projects.create")}
        </button>
      </form>
    </Page>
  );
}
