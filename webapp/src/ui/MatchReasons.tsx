// Why the matching engine chose a worker, worded in the reader's language from the numbers the
// server sends with each reason (MatchReason in schema.graphql documents the codes). The
// server's English `text` is shown only for a code this app does not know yet, marked lang="en".
import { graphql } from "../gql";
import type { MatchReasonFieldsFragment } from "../gql/graphql";
import { useI18n, type I18n } from "../i18n";

graphql(`
  fragment MatchReasonFields on MatchReason {
    code
    text
    value
    radiusKm
    reviewCount
    recentQuotes
    recentMatches
  }
`);

/** The reason in the reader's language, or null for a code the app has no wording for. */
export function wordReason(reason: MatchReasonFieldsFragment, { t, km, number }: I18n): string | null {
  const value = reason.value;
  switch (reason.code) {
    case "DISTANCE":
      if (value == null) return null;
      return reason.radiusKm == null
        ? t("reason.DISTANCE.bare", { distance: km(value) })
        : t("reason.DISTANCE", { distance: km(value), radius: km(reason.radiusKm) });
    case "RATING":
      if (value == null) return t("reason.RATING.none");
      return t(reason.reviewCount === 1 ? "reason.RATING.one" : "reason.RATING", {
        rating: number(value),
        count: number(reason.reviewCount ?? 0, 0),
      });
    case "COMPLETED_JOBS":
      if (value == null) return null;
      return t(value === 1 ? "reason.COMPLETED_JOBS.one" : "reason.COMPLETED_JOBS", { count: number(value, 0) });
    case "RESPONSIVENESS":
      if (reason.recentQuotes == null || reason.recentMatches == null) return null;
      return t("reason.RESPONSIVENESS", {
        quotes: number(reason.recentQuotes, 0),
        matches: number(reason.recentMatches, 0),
      });
    default:
      return null;
  }
}

export function MatchReasons({ reasons }: { reasons: MatchReasonFieldsFragment[] }) {
  const i18n = useI18n();
  if (reasons.length === 0) return null;
  return (
    <ul className="reasons" aria-label={i18n.t("match.why")} data-testid="match-reasons">
      {reasons.map((reason) => {
        const worded = wordReason(reason, i18n);
        return worded === null ? (
          <li key={reason.code} lang="en" data-code={reason.code}>
            {reason.text}
          </li>
        ) : (
          <li key={reason.code} data-code={reason.code}>
            {worded}
          </li>
        );
      })}
    </ul>
  );
}
