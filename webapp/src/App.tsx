// Routes. Pages that need a session send visitors to sign in.
import type { ReactNode } from "react";
import { Redirect, Route, Switch } from "wouter";
import { NotificationsProvider } from "./feeds/notifications";
import { useI18n } from "./i18n";
import { Admin } from "./pages/Admin";
import { SignIn, SignUp } from "./pages/Auth";
import { Consultations } from "./pages/Consultations";
import { EnterpriseLibrary } from "./pages/Enterprises";
import { Home } from "./pages/Home";
import { JobPage } from "./pages/JobPage";
import { Notifications } from "./pages/Notifications";
import { Points } from "./pages/Points";
import { PostJob } from "./pages/PostJob";
import { ProjectPage } from "./pages/ProjectPage";
import { NewProject, ProjectList } from "./pages/Projects";
import { ThreadList, ThreadPage } from "./pages/Threads";
import { MyJobs, WorkerProfile } from "./pages/Work";
import { useSession } from "./session";
import { Layout } from "./ui/Layout";
import { Page } from "./ui/kit";

function Private({ children }: { children: ReactNode }) {
  const { viewer, loading } = useSession();
  const { t } = useI18n();
  if (loading) return <Page title="fixhub"><p>{t("common.loading")}</p></Page>;
  if (!viewer) return <Redirect to="/signin" />;
  return <>{children}</>;
}

function NotFound() {
  const { t } = useI18n();
  return (
    <Page title={t("common.notFound")}>
      <p>{t("common.notFoundHint")}</p>
    </Page>
  );
}

export function App() {
  return (
    <NotificationsProvider>
      <Layout>
        <Switch>
          <Route path="/" component={Home} />
          <Route path="/signin" component={SignIn} />
          <Route path="/signup" component={SignUp} />
          <Route path="/jobs/new"><Private><PostJob /></Private></Route>
          <Route path="/jobs/:id"><Private><JobPage /></Private></Route>
          <Route path="/jobs"><Private><MyJobs /></Private></Route>
          <Route path="/profile"><Private><WorkerProfile /></Private></Route>
          <Route path="/points"><Private><Points /></Private></Route>
          <Route path="/notifications"><Private><Notifications /></Private></Route>
          <Route path="/threads/:id"><Private><ThreadPage /></Private></Route>
          <Route path="/threads"><Private><ThreadList /></Private></Route>
          <Route path="/enterprises"><Private><EnterpriseLibrary /></Private></Route>
          <Route path="/projects/new"><Private><NewProject /></Private></Route>
          <Route path="/projects/:id"><Private><ProjectPage /></Private></Route>
          <Route path="/projects"><Private><ProjectList /></Private></Route>
          <Route path="/support"><Private><Consultations /></Private></Route>
          <Route path="/admin"><Private><Admin /></Private></Route>
          <Route component={NotFound} />
        </Switch>
      </Layout>
    </NotificationsProvider>
  );
}
