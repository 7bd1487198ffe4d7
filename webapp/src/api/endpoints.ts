// Where the API lives: always this page's own origin (the server serves the app and the API).
export const TOKEN_KEY = "fixhub.token";
export const GRAPHQL_PATH = "/graphql";

export function wsUrl(): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${GRAPHQL_PATH}`;
}
