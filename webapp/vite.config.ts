// Two pages from one build: the app (index.html) and GraphiQL (graphiql.html), both served by
// `python server.py` from dist/. Nothing is loaded from another host at run time.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    rollupOptions: {
      input: { app: "index.html", graphiql: "graphiql.html" },
    },
  },
  server: {
    // `npm run dev` next to `python server.py`: the API and its WebSocket stay on the server.
    proxy: { "/graphql": { target: "http://127.0.0.1:8000", ws: true } },
  },
});
