// The customer calls a job off before the work started (cancelJob): a reason is required, and
// a second click confirms, so one slip of a thumb does not cancel a job with quotes on it.
import { useState } from "react";
import { useMutation } from "urql";
import { graphql } from "../gql";
import { useI18n } from "../i18n";
import { Card, ErrorText, TextArea } from "../ui/kit";

const CANCEL = graphql(`
  mutation CancelJob($jobId: ID!, $reason: String!) {
    cancelJob(jobId: $jobId, reason: $reason) {
      id
      status
      cancelReason
    }
  }
`);

/** The statuses cancelJob takes: the work has not started. */
export const CANCELLABLE = ["OPEN", "HIRED", "SCHEDULED"];

export function CancelJob({ jobId, onCancelled }: { jobId: string; onCancelled: () => void }) {
  const { t } = useI18n();
  const [result, cancel] = useMutation(CANCEL);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  return (
    <Card title={t("job.cancelTitle")}>
      {!open ? (
        <button type="button" className="secondary" onClick={() => setOpen(true)}>
          {t("job.cancel")}
        </button>
      ) : (
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const done = await cancel({ jobId, reason: reason.trim() });
          if (!done.error) onCancelled();
        }}
      >
        <TextArea label={t("job.cancelReason")} required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
        <ErrorText error={result.error} />
        <div className="row">
          <button type="submit" className="danger" disabled={result.fetching || !reason.trim()}>
            {t("job.cancelConfirm")}
          </button>
          <button type="button" className="secondary" onClick={() => setOpen(false)}>
            {t("job.cancelKeep")}
          </button>
        </div>
      </form>
      )}
    </Card>
  );
}
