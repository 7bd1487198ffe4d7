// GraphiQL from this build (no CDN): queries over HTTP, subscriptions over graphql-ws, the
// token of the app's session (if any) sent with both.
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/style.css";
import { createClient } from "graphql-ws";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { TOKEN_KEY, wsUrl } from "./api/endpoints";

const token = localStorage.getItem(TOKEN_KEY);
const authorization = token ? `Bearer ${token}` : undefined;
const fetcher = createGraphiQLFetcher({
  url: "/graphql",
  headers: authorization ? { Authorization: authorization } : {},
  wsClient: createClient({ url: wsUrl(), connectionParams: { authorization }, lazy: true }),
});

createRoot(document.getElementById("graphiql")!).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} defaultEditorToolsVisibility />
  </StrictMode>,
);
