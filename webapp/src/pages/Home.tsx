// The first page: a welcome for visitors, and each role's own start page.
import { Link } from "wouter";
import { useI18n } from "../i18n";
import { useSession } from "../session";
import { CATEGORIES, CategoryLabel, Page } from "../ui/kit";
import { Admin } from "./Admin";
import { MyFirms } from "./Enterprises";
import { ProjectList } from "./Projects";
import { MyJobs, WorkerFeed } from "./Work";

function Welcome() {
  const { t } = useI18n();
  return (
    <Page title={t("home.welcome")}>
      <p className="lead">{t("home.pitch")}</p>
      <ul className="category-grid" aria-label={t("home.categories")}>
        {CATEGORIES.map((c) => (
          <li key={c}>
            <CategoryLabel category={c} />
          </li>
        ))}
      </ul>
      <p className="row">
        <Link href="/signup" className="button">
          {t("auth.signUp")}
        </Link>
        <Link href="/signin" className="button secondary">
          {t("auth.signIn")}
        </Link>
      </p>
    </Page>
  );
}

export function Home() {
  const { viewer, loading } = useSession();
  const { t } = useI18n();
  if (loading) return <Page title="fixhub"><p>{t("common.loading")}</p></Page>;
  if (!viewer) return <Welcome />;
  switch (viewer.role) {
    case "WORKER":
      return <WorkerFeed />;
    case "ADMIN":
      return <Admin />;
    case "ENTERPRISE_STAFF":
      return (
        <>
          <ProjectList />
          <MyFirms />
        </>
      );
    default:
      return <MyJobs />;
  }
}
