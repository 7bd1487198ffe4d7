// A project's materials: the material plan in force (the budgeter files a new version), and its
// deliveries (the supplier side records a dispatch and marks it delivered; the customer or the
// project manager confirms receipt).
import { useEffect, useState } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { useI18n } from "../i18n";
import { Card, ErrorText, Field, StatusBadge, parseCents } from "../ui/kit";
import { TEAM_AT_WORK, type ProjectBasics } from "./ProjectDesigns";

// Oldest first, the last in force: ten versions of thirty lines keep within MAX_QUERY_COST.
const PLANS = graphql(`
  query ProjectMaterialPlans($id: ID!) {
    materialPlans(projectId: $id, first: 10) {
      id
      version
      totalCents
      currency
      items(first: 30) {
        name
        unit
        quantity
        totalCents
      }
    }
  }
`);
const DELIVERIES = graphql(`
  query ProjectDeliveries($id: ID!) {
    deliveries(projectId: $id, first: 20) {
      id
      status
      carrier
      trackingNumber
      dispatchedAt
      items(first: 15) {
        name
        quantity
      }
    }
  }
`);
const FILE_PLAN = graphql(`
  mutation FileMaterialPlan($id: ID!, $input: MaterialPlanInput!) {
    fileMaterialPlan(projectId: $id, input: $input) {
      id
      version
    }
  }
`);
const RECORD_DELIVERY = graphql(`
  mutation RecordDelivery($id: ID!, $input: DeliveryInput!) {
    recordDelivery(projectId: $id, input: $input) {
      id
      status
    }
  }
`);
const MARK_DELIVERED = graphql(`
  mutation MarkDelivered($id: ID!) {
    markDeliveryDelivered(deliveryId: $id) {
      id
      status
    }
  }
`);
const CONFIRM_RECEIPT = graphql(`
  mutation ConfirmReceipt($id: ID!) {
    confirmDeliveryReceipt(deliveryId: $id) {
      id
      status
    }
  }
`);

type Line = { name: string; unit: string; quantity: string; unitPrice: string };
const BLANK: Line = { name: "", unit: "", quantity: "", unitPrice: "" };

function FilePlan({ project, onFiled }: { project: ProjectBasics; onFiled: () => void }) {
  const { t } = useI18n();
  const [result, file] = useMutation(FILE_PLAN);
  const [lines, setLines] = useState<Line[]>([BLANK]);
  const change = (i: number, edit: Partial<Line>) => setLines(lines.map((line, j) => (j === i ? { ...line, ...edit } : line)));
  return (
    <form
      aria-label={t("plan.file")}
      onSubmit={async (e) => {
        e.preventDefault();
        const items = lines.map((l) => ({ name: l.name.trim(), unit: l.unit.trim(), quantity: Number(l.quantity), unitPriceCents: parseCents(l.unitPrice) ?? 0 }));
        const done = await file({ id: project.id, input: { items } });
        if (!done.error) {
          setLines([BLANK]);
          onFiled();
        }
      }}
    >
      <h3>{t("plan.file")}</h3>
      {lines.map((line, i) => (
        <fieldset key={i} className="plan-line">
          <legend>{t("plan.line", { n: i + 1 })}</legend>
          <div className="row">
            <Field label={t("plan.name")} required value={line.name} onChange={(e) => change(i, { name: e.target.value })} />
            <Field label={t("plan.unit")} required value={line.unit} onChange={(e) => change(i, { unit: e.target.value })} />
            <Field label={t("plan.quantity")} inputMode="decimal" required value={line.quantity} onChange={(e) => change(i, { quantity: e.target.value })} />
            <Field label={t("plan.unitPrice", { currency: project.currency })} inputMode="decimal" required value={line.unitPrice} onChange={(e) => change(i, { unitPrice: e.target.value })} />
            {lines.length > 1 && (
              <button type="button" className="secondary" onClick={() => setLines(lines.filter((_, j) => j !== i))}>
                {t("plan.removeLine", { n: i + 1 })}
              </button>
            )}
          </div>
        </fieldset>
      ))}
      <ErrorText error={result.error} />
      <div className="row">
        <button type="button" className="secondary" onClick={() => setLines([...lines, BLANK])}>
          {t("plan.addLine")}
        </button>
        <button type="submit" disabled={result.fetching}>
          {t("plan.submit")}
        </button>
      </div>
    </form>
  );
}

function RecordDelivery({ project, itemNames, onRecorded }: { project: ProjectBasics; itemNames: string[]; onRecorded: () => void }) {
  const { t } = useI18n();
  const [result, record] = useMutation(RECORD_DELIVERY);
  const [carrier, setCarrier] = useState("");
  const [tracking, setTracking] = useState("");
  const [quantities, setQuantities] = useState<Record<string, string>>({});
  return (
    <form
      aria-label={t("delivery.record")}
      onSubmit={async (e) => {
        e.preventDefault();
        const items = itemNames.filter((name) => Number(quantities[name]) > 0).map((name) => ({ name, quantity: Number(quantities[name]) }));
        const done = await record({ id: project.id, input: { carrier: carrier.trim(), trackingNumber: tracking.trim(), items } });
        if (!done.error) {
          setCarrier("");
          setTracking("");
          setQuantities({});
          onRecorded();
        }
      }}
    >
      <h3>{t("delivery.record")}</h3>
      <div className="row">
        <Field label={t("delivery.carrier")} required value={carrier} onChange={(e) => setCarrier(e.target.value)} />
        <Field label={t("delivery.tracking")} required value={tracking} onChange={(e) => setTracking(e.target.value)} />
      </div>
      <div className="row">
        {itemNames.map((name) => (
          <Field key={name} label={t("delivery.quantityOf", { name })} inputMode="decimal" value={quantities[name] ?? ""} onChange={(e) => setQuantities({ ...quantities, [name]: e.target.value })} />
        ))}
      </div>
      <ErrorText error={result.error} />
      <button type="submit" disabled={result.fetching}>
        {t("delivery.dispatch")}
      </button>
    </form>
  );
}

export function ProjectMaterials({ project, version }: { project: ProjectBasics; version: number }) {
  const { t, money, dateTime, number } = useI18n();
  const variables = { id: project.id };
  const [plans, refetchPlans] = useQuery({ query: PLANS, variables, requestPolicy: "network-only" });
  const [shipments, refetchDeliveries] = useQuery({ query: DELIVERIES, variables, requestPolicy: "network-only" });
  const [delivered, doDelivered] = useMutation(MARK_DELIVERED);
  const [receipt, doReceipt] = useMutation(CONFIRM_RECEIPT);
  const reload = () => {
    refetchPlans({ requestPolicy: "network-only" });
    refetchDeliveries({ requestPolicy: "network-only" });
  };
  useEffect(reload, [version]); // eslint-disable-line react-hooks/exhaustive-deps
  const roles = project.myRoles;
  const plan = plans.data?.materialPlans.at(-1);
  const deliveries = shipments.data?.deliveries;
  const atWork = TEAM_AT_WORK.includes(project.status);
  const supplierSide = roles.includes("SUPPLIER_FIRM") || roles.includes("MATERIAL_BUDGETER");
  const canConfirmReceipt = roles.includes("CUSTOMER") || roles.includes("PROJECT_MANAGER");
  const after = async (run: Promise<{ error?: unknown }>) => {
    if (!(await run).error) reload();
  };
  return (
    <Card title={t("project.materials")}>
      {plan ? (
        <>
          <p data-testid="material-plan">{t("project.planVersion", { version: plan.version, total: money(plan.totalCents, plan.currency) })}</p>
          <ul>
            {plan.items.map((item, i) => (
              <li key={i}>
                {item.name} · {number(item.quantity)} {item.unit} · {money(item.totalCents, plan.currency)}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted">{t("project.noPlan")}</p>
      )}
      {roles.includes("MATERIAL_BUDGETER") && atWork && <FilePlan project={project} onFiled={reload} />}
      <h3>{t("project.deliveries")}</h3>
      <ErrorText error={plans.error ?? shipments.error} />
      {deliveries?.length === 0 && <p className="muted">{t("project.noDeliveries")}</p>}
      <ul className="list" data-testid="deliveries">
        {deliveries?.map((d) => (
          <li key={d.id} className="list-item" data-testid="delivery">
            <div>
              {d.carrier} {d.trackingNumber} <StatusBadge status={d.status} />
              <p className="muted">
                {dateTime(d.dispatchedAt)} · {d.items.map((i) => `${i.name} × ${number(i.quantity)}`).join(", ")}
              </p>
            </div>
            {supplierSide && d.status === "DISPATCHED" && (
              <button type="button" onClick={() => after(doDelivered({ id: d.id }))}>
                {t("delivery.markDelivered")}
              </button>
            )}
            {canConfirmReceipt && d.status === "DELIVERED" && (
              <button type="button" onClick={() => after(doReceipt({ id: d.id }))}>
                {t("project.confirmReceipt")}
              </button>
            )}
          </li>
        ))}
      </ul>
      <ErrorText error={delivered.error ?? receipt.error} />
      {supplierSide && atWork && plan && <RecordDelivery project={project} itemNames={plan.items.map((i) => i.name)} onRecorded={reload} />}
    </Card>
  );
}
