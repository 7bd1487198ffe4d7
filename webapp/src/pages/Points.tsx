// Points: balance, the ledger, and the rewards catalogue with redeem.
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { useI18n } from "../i18n";
import { useSession } from "../session";
import { Card, ErrorText, Page } from "../ui/kit";

const POINTS = graphql(`
  query Points {
    me {
      id
      pointsBalance
      pointTransactions(first: 50) {
        edges {
          node {
            id
            delta
            balanceAfter
            kind
            reason
            createdAt
          }
        }
      }
    }
    rewards(first: 50, activeOnly: true) {
      edges {
        node {
          id
          name
          description
          costPoints
          stock
        }
      }
    }
  }
`);

const REDEEM = graphql(`
  mutation Redeem($rewardId: ID!, $key: String!) {
    redeemReward(rewardId: $rewardId, idempotencyKey: $key) {
      id
      costPoints
    }
  }
`);

export function Points() {
  const { t, number, dateTime } = useI18n();
  const { refreshViewer } = useSession();
  const [{ data, error }, refetch] = useQuery({ query: POINTS, requestPolicy: "network-only" });
  const [redeem, doRedeem] = useMutation(REDEEM);
  const [done, setDone] = useState<string | null>(null);
  const balance = data?.me?.pointsBalance ?? 0;
  return (
    <Page title={t("points.title")}>
      <ErrorText error={error} />
      <p className="balance" data-testid="points-page-balance">
        {t("points.balance", { points: number(balance, 0) })}
      </p>
      <div className="grid">
        <Card title={t("points.rewards")}>
          {data?.rewards.edges.length === 0 && <p className="muted">{t("points.noRewards")}</p>}
          <ul className="list">
            {data?.rewards.edges.map(({ node: reward }) => (
              <li key={reward.id} className="list-item">
                <div>
                  <strong>{reward.name}</strong>
                  <p className="muted">
                    {reward.description} · {t("points.cost", { points: number(reward.costPoints, 0) })} · {t("points.stock", { count: reward.stock })}
                  </p>
                </div>
                <button
                  type="button"
                  disabled={redeem.fetching || reward.costPoints > balance || reward.stock < 1}
                  onClick={async () => {
                    const result = await doRedeem({ rewardId: reward.id, key: crypto.randomUUID() });
                    if (!result.error) {
                      setDone(reward.name);
                      refetch({ requestPolicy: "network-only" });
                      refreshViewer();
                    }
                  }}
                >
                  {t("points.redeem")}
                </button>
              </li>
            ))}
          </ul>
          <ErrorText error={redeem.error} />
          {done && <p role="status" className="notice">{t("points.redeemed", { name: done })}</p>}
        </Card>
        <Card title={t("points.ledger")}>
          {data?.me?.pointTransactions.edges.length === 0 && <p className="muted">{t("points.noLedger")}</p>}
          <table className="ledger">
            <thead>
              <tr>
                <th scope="col">{t("points.when")}</th>
                <th scope="col">{t("points.what")}</th>
                <th scope="col">{t("points.delta")}</th>
                <th scope="col">{t("points.after")}</th>
              </tr>
            </thead>
            <tbody>
              {data?.me?.pointTransactions.edges.map(({ node }) => (
                <tr key={node.id}>
                  <td>{dateTime(node.createdAt)}</td>
                  <td>
                    {t(`pointKind.${node.kind}`)} <span className="muted" lang="en">{node.reason}</span>
                  </td>
                  <td>{node.delta > 0 ? `+${number(node.delta, 0)}` : number(node.delta, 0)}</td>
                  <td>{number(node.balanceAfter, 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      </div>
    </Page>
  );
}
