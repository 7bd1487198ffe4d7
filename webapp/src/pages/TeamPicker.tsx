// The customer chooses the team: one verified enterprise of each kind and a member of it in
// the matching role.
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { EnterpriseKind, MemberRole } from "../gql/graphql";
import { useI18n } from "../i18n";
import { Card, ErrorText, Select } from "../ui/kit";

const CANDIDATES = graphql(`
  query TeamCandidates {
    enterprises(first: 20) {
      edges {
        node {
          id
          name
          kind
          city
          members(first: 10) {
            role
            user {
              id
              displayName
            }
          }
        }
      }
    }
  }
`);

const ASSIGN = graphql(`
  mutation AssignTeam($id: ID!, $input: ProjectTeamInput!) {
    assignProjectTeam(projectId: $id, input: $input) {
      id
      status
    }
  }
`);

const SEATS: { kind: EnterpriseKind; role: MemberRole; firmKey: string; personKey: string }[] = [
  { kind: "DESIGN", role: "DESIGNER", firmKey: "designEnterpriseId", personKey: "designerId" },
  { kind: "DECORATION", role: "PROJECT_MANAGER", firmKey: "decorationEnterpriseId", personKey: "projectManagerId" },
  { kind: "SUPERVISION", role: "SUPERVISOR", firmKey: "supervisionEnterpriseId", personKey: "supervisorId" },
  { kind: "MATERIAL_SUPPLIER", role: "MATERIAL_BUDGETER", firmKey: "supplierEnterpriseId", personKey: "materialBudgeterId" },
];

export function TeamPicker({ projectId, onAssigned }: { projectId: string; onAssigned: () => void }) {
  const { t } = useI18n();
  const [{ data }] = useQuery({ query: CANDIDATES });
  const [result, assign] = useMutation(ASSIGN);
  const [choice, setChoice] = useState<Record<string, string>>({});
  const firms = data?.enterprises.edges.map((e) => e.node) ?? [];
  return (
    <Card title={t("project.chooseTeam")}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const done = await assign({ id: projectId, input: choice as never });
          if (!done.error) onAssigned();
        }}
      >
        {SEATS.map((seat) => {
          const ofKind = firms.filter((f) => f.kind === seat.kind);
          const firm = ofKind.find((f) => f.id === choice[seat.firmKey]);
          return (
            <fieldset key={seat.kind}>
              <legend>{t(`kind.${seat.kind}`)}</legend>
              <div className="row">
                <Select label={t("project.firm")} required value={choice[seat.firmKey] ?? ""} onChange={(e) => setChoice({ ...choice, [seat.firmKey]: e.target.value, [seat.personKey]: "" })}>
                  <option value="">{t("common.choose")}</option>
                  {ofKind.map((f) => (
                    <option key={f.id} value={f.id}>
                      {f.name} · {f.city}
                    </option>
                  ))}
                </Select>
                <Select label={t(`memberRole.${seat.role}`)} required value={choice[seat.personKey] ?? ""} onChange={(e) => setChoice({ ...choice, [seat.personKey]: e.target.value })}>
                  <option value="">{t("common.choose")}</option>
                  {firm?.members
                    .filter((m) => m.role === seat.role)
                    .map((m) => (
                      <option key={m.user.id} value={m.user.id}>
                        {m.user.displayName}
                      </option>
                    ))}
                </Select>
              </div>
            </fieldset>
          );
        })}
        <ErrorText error={result.error} />
        <button type="submit" disabled={result.fetching}>
          {t("project.assignTeam")}
        </button>
      </form>
    </Card>
  );
}
