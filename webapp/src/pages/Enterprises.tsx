// The enterprise library: verified firms by kind and city, with ratings. Staff see their own
// firms (any status) and register new ones.
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { EnterpriseKind } from "../gql/graphql";
import { useI18n } from "../i18n";
import { useSession } from "../session";
import { Card, ErrorText, Field, Page, Select, Stars, StatusBadge } from "../ui/kit";

const KINDS: EnterpriseKind[] = ["DESIGN", "DECORATION", "SUPERVISION", "MATERIAL_SUPPLIER"];

const LIBRARY = graphql(`
  query EnterpriseLibrary($kind: EnterpriseKind, $city: String) {
    enterprises(kind: $kind, city: $city, first: 50) {
      edges {
        node {
          id
          name
          kind
          city
          description
          ratingAverage
          ratingCount
          completedProjects
        }
      }
    }
  }
`);

const MINE = graphql(`
  query MyEnterprises {
    myEnterprises(first: 10) {
      id
      name
      kind
      city
      status
      statusNote
      members(first: 20) {
        id
        role
        user {
          displayName
        }
      }
    }
    myEnterpriseInvitations {
      id
      enterpriseName
      role
      expiresAt
    }
  }
`);

const REGISTER = graphql(`
  mutation RegisterEnterprise($input: RegisterEnterpriseInput!) {
    registerEnterprise(input: $input) {
      id
      status
    }
  }
`);

const INVITE = graphql(`
  mutation Invite($id: ID!, $email: String!, $role: MemberRole!) {
    inviteEnterpriseMember(enterpriseId: $id, email: $email, role: $role) {
      id
      status
    }
  }
`);

const ACCEPT_INVITATION = graphql(`
  mutation AcceptInvitation($id: ID!) {
    acceptEnterpriseInvitation(id: $id) {
      id
    }
  }
`);

const ROLE_OF_KIND = {
  DESIGN: "DESIGNER",
  DECORATION: "PROJECT_MANAGER",
  SUPERVISION: "SUPERVISOR",
  MATERIAL_SUPPLIER: "MATERIAL_BUDGETER",
} as const;

export function EnterpriseLibrary() {
  const { t, number } = useI18n();
  const { viewer } = useSession();
  const [kind, setKind] = useState<EnterpriseKind | "">("");
  const [city, setCity] = useState("");
  const [{ data, error }] = useQuery({ query: LIBRARY, variables: { kind: kind || null, city: city.trim() || null } });
  return (
    <Page title={t("enterprises.title")}>
      <form className="filters row" role="search" onSubmit={(e) => e.preventDefault()}>
        <Select label={t("enterprises.kind")} value={kind} onChange={(e) => setKind(e.target.value as EnterpriseKind | "")}>
          <option value="">{t("enterprises.allKinds")}</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`kind.${k}`)}
            </option>
          ))}
        </Select>
        <Field label={t("enterprises.city")} value={city} onChange={(e) => setCity(e.target.value)} />
      </form>
      <ErrorText error={error} />
      {data?.enterprises.edges.length === 0 && <p className="muted">{t("enterprises.none")}</p>}
      <ul className="cards">
        {data?.enterprises.edges.map(({ node: firm }) => (
          <li key={firm.id} className="card">
            <h2>{firm.name}</h2>
            <p>
              {t(`kind.${firm.kind}`)} · {firm.city}
            </p>
            <p>
              <Stars value={firm.ratingAverage} count={firm.ratingCount} />
            </p>
            <p className="muted">{t("enterprises.completed", { count: number(firm.completedProjects, 0) })}</p>
            {firm.description && <p>{firm.description}</p>}
          </li>
        ))}
      </ul>
      {viewer?.role === "ENTERPRISE_STAFF" && <MyFirms />}
    </Page>
  );
}

export function MyFirms() {
  const { t, dateTime } = useI18n();
  const [{ data }, refetch] = useQuery({ query: MINE, requestPolicy: "network-only" });
  const [registered, register] = useMutation(REGISTER);
  const [invited, invite] = useMutation(INVITE);
  const [accepted, accept] = useMutation(ACCEPT_INVITATION);
  const [form, setForm] = useState({ name: "", kind: "DECORATION" as EnterpriseKind, licenseNumber: "", city: "", contactEmail: "" });
  const [emails, setEmails] = useState<Record<string, string>>({});
  const reload = () => refetch({ requestPolicy: "network-only" });
  return (
    <>
      {(data?.myEnterpriseInvitations.length ?? 0) > 0 && (
        <Card title={t("enterprises.invitations")}>
          <ul className="list">
            {data?.myEnterpriseInvitations.map((inv) => (
              <li key={inv.id} className="list-item">
                <span>
                  {inv.enterpriseName} · {t(`memberRole.${inv.role}`)} · {dateTime(inv.expiresAt)}
                </span>
                <button type="button" onClick={async () => { const r = await accept({ id: inv.id }); if (!r.error) reload(); }}>
                  {t("enterprises.accept")}
                </button>
              </li>
            ))}
          </ul>
          <ErrorText error={accepted.error} />
        </Card>
      )}
      <Card title={t("enterprises.mine")}>
        {data?.myEnterprises.length === 0 && <p className="muted">{t("enterprises.noneMine")}</p>}
        <ul className="list">
          {data?.myEnterprises.map((firm) => (
            <li key={firm.id} className="list-item column">
              <div>
                <strong>{firm.name}</strong> · {t(`kind.${firm.kind}`)} · {firm.city} <StatusBadge status={firm.status} />
                {firm.statusNote && <p className="muted">{firm.statusNote}</p>}
                <p className="muted">{firm.members.map((m) => `${m.user.displayName} (${t(`memberRole.${m.role}`)})`).join(", ")}</p>
              </div>
              <form
                className="row"
                onSubmit={async (e) => {
                  e.preventDefault();
                  const r = await invite({ id: firm.id, email: emails[firm.id] ?? "", role: ROLE_OF_KIND[firm.kind] });
                  if (!r.error) setEmails({ ...emails, [firm.id]: "" });
                }}
              >
                <Field label={t("enterprises.inviteEmail", { role: t(`memberRole.${ROLE_OF_KIND[firm.kind]}`) })} type="email" value={emails[firm.id] ?? ""} onChange={(e) => setEmails({ ...emails, [firm.id]: e.target.value })} />
                <button type="submit">{t("enterprises.invite")}</button>
              </form>
            </li>
          ))}
        </ul>
        <ErrorText error={invited.error} />
      </Card>
      <Card title={t("enterprises.register")}>
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            const r = await register({ input: { ...form, description: "" } });
            if (!r.error) reload();
          }}
        >
          <Field label={t("enterprises.name")} required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          <Select label={t("enterprises.kind")} value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as EnterpriseKind })}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`kind.${k}`)}
              </option>
            ))}
          </Select>
          <Field label={t("enterprises.license")} required value={form.licenseNumber} onChange={(e) => setForm({ ...form, licenseNumber: e.target.value })} />
          <Field label={t("enterprises.city")} required value={form.city} onChange={(e) => setForm({ ...form, city: e.target.value })} />
          <Field label={t("enterprises.contact")} type="email" required value={form.contactEmail} onChange={(e) => setForm({ ...form, contactEmail: e.target.value })} />
          <ErrorText error={registered.error} />
          <button type="submit">{t("enterprises.submit")}</button>
        </form>
      </Card>
    </>
  );
}
