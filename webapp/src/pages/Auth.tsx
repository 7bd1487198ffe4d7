// Sign in, and sign up with a role.
import { useState } from "react";
import { Link, useLocation } from "wouter";
import { useMutation } from "urql";
import { graphql } from "../gql";
import type { Role } from "../gql/graphql";
import { useI18n } from "../i18n";
import { useSession } from "../session";
import { ErrorText, Field, Page } from "../ui/kit";

const LOGIN = graphql(`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      token
    }
  }
`);

const REGISTER = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      token
    }
  }
`);

export function SignIn() {
  const { t } = useI18n();
  const { signIn } = useSession();
  const [, navigate] = useLocation();
  const [result, login] = useMutation(LOGIN);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  return (
    <Page title={t("auth.signInTitle")}>
      <form
        className="card narrow"
        onSubmit={async (e) => {
          e.preventDefault();
          const done = await login({ email, password });
          if (done.data) {
            signIn(done.data.login.token);
            navigate("/");
          }
        }}
      >
        <Field label={t("auth.email")} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <Field label={t("auth.password")} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <ErrorText error={result.error} />
        <button type="submit" disabled={result.fetching}>
          {t("auth.signIn")}
        </button>
        <p>
          {t("auth.noAccount")} <Link href="/signup">{t("auth.signUp")}</Link>
        </p>
      </form>
    </Page>
  );
}

const ROLES: Role[] = ["CUSTOMER", "WORKER", "ENTERPRISE_STAFF"];

export function SignUp() {
  const { t } = useI18n();
  const { signIn } = useSession();
  const [, navigate] = useLocation();
  const [result, register] = useMutation(REGISTER);
  const [form, setForm] = useState({ email: "", password: "", displayName: "", role: "CUSTOMER" as Role });
  return (
    <Page title={t("auth.signUpTitle")}>
      <form
        className="card narrow"
        onSubmit={async (e) => {
          e.preventDefault();
          const done = await register({ input: form });
          if (done.data) {
            signIn(done.data.register.token);
            navigate(form.role === "WORKER" ? "/profile" : "/");
          }
        }}
      >
        <fieldset className="choices">
          <legend>{t("auth.role")}</legend>
          {ROLES.map((role) => (
            <label key={role} className="choice">
              <input type="radio" name="role" value={role} checked={form.role === role} onChange={() => setForm({ ...form, role })} />
              <span>
                <strong>{t(`role.${role}`)}</strong>
                <small>{t(`role.${role}.hint`)}</small>
              </span>
            </label>
          ))}
        </fieldset>
        <Field label={t("auth.displayName")} autoComplete="name" required value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
        <Field label={t("auth.email")} type="email" autoComplete="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
        <Field label={t("auth.password")} type="password" autoComplete="new-password" required minLength={8} hint={t("auth.passwordHint")} value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
        <ErrorText error={result.error} />
        <button type="submit" disabled={result.fetching}>
          {t("auth.signUp")}
        </button>
        <p>
          {t("auth.haveAccount")} <Link href="/signin">{t("auth.signIn")}</Link>
        </p>
      </form>
    </Page>
  );
}
