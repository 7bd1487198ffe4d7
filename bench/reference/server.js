// The reference for bench/compare.py: the operation shapes of fixhub on graphql-js + graphql-ws
// + ws, with toy in-memory resolvers. It does what a GraphQL server must do on every operation
// (parse once per document, validate, execute the selection per subscriber, serialise, write a
// frame, check a bearer token per connection) and nothing a real application adds: no database,
// no password hashing, no permission model beyond "is this your job".
//
//   node server.js [--host 127.0.0.1] [--port 8100]
//
// Environment: DEFLATE_THRESHOLD (bytes; ws's default 1024: smaller frames go uncompressed
// even when permessage-deflate was negotiated), NO_DEFLATE=1 (refuse permessage-deflate).
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { parseArgs } from "node:util";

import {
  GraphQLError,
  buildSchema,
  execute,
  parse,
  specifiedRules,
  validate,
} from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";

import { PubSub } from "./pubsub.js";

const CELL_DEGREES = 0.5; // as fixhub's matching/geo.py: a job looks up exactly one grid cell
const MATCH_LIMIT = 500;
const MAX_BODY_BYTES = 100_000;

const typeDefs = /* GraphQL */ `
  scalar DateTime
  enum Role { CUSTOMER WORKER }
  enum ServiceCategory { WALLS_FLOORS CLEANING WATER_ELECTRICAL DOORS_WINDOWS PIPES APPLIANCES }
  enum JobStatus { OPEN }
  enum QuoteStatus { PENDING }

  input GeoPointInput { lat: Float!, lng: Float! }
  input RegisterInput { email: String!, password: String!, displayName: String!, role: Role! }
  input WorkerProfileInput {
    categories: [ServiceCategory!]!, location: GeoPointInput!, serviceRadiusKm: Float!
    bio: String, available: Boolean
  }
  input PostJobInput {
    category: ServiceCategory!, title: String!, description: String!, location: GeoPointInput!
    address: String!, budgetMinCents: Int, budgetMaxCents: Int
  }
  input SubmitQuoteInput { jobId: ID!, amountCents: Int!, message: String }

  type User { id: ID!, displayName: String!, role: Role! }
  type AuthPayload { token: String!, user: User! }
  type Worker {
    id: ID!, displayName: String!, ratingAverage: Float, ratingCount: Int!, completedJobs: Int!
  }
  type Match { score: Float!, distanceKm: Float! }
  type Job {
    id: ID!, status: JobStatus!, title: String!, category: ServiceCategory!, address: String!
    budgetMinCents: Int, budgetMaxCents: Int, createdAt: DateTime!, matchCount: Int!
    myMatch: Match
  }
  type Quote {
    id: ID!, status: QuoteStatus!, amountCents: Int!, currency: String!, message: String
    createdAt: DateTime!, worker: Worker!
  }

  type Query { me: User }
  type Mutation {
    register(input: RegisterInput!): AuthPayload!
    updateWorkerProfile(input: WorkerProfileInput!): Worker!
    postJob(input: PostJobInput!): Job!
    submitQuote(input: SubmitQuoteInput!): Quote!
  }
  type Subscription {
    quoteReceived(jobId: ID!): Quote!
    matchingJobs: Job!
  }
`;

// --- in-memory state ------------------------------------------------------------------------

const usersByToken = new Map(); // token -> user
const jobs = new Map(); // id -> job
const workersByCell = new Map(); // "i:j" -> [worker profile]
const pubsub = new PubSub();
let nextId = 1;

const cellOf = (lat, lng) =>
  `${Math.floor((lat + 90) / CELL_DEGREES)}:${Math.floor((lng + 180) / CELL_DEGREES)}`;

function distanceKm(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.sqrt(h));
}

const refused = (message, code) => new GraphQLError(message, { extensions: { code } });

function requireUser(viewer, role) {
  if (!viewer) throw refused("Sign in first.", "UNAUTHENTICATED");
  if (role && viewer.role !== role) throw refused(`Only a ${role} may do this.`, "FORBIDDEN");
  return viewer;
}

function viewerFrom(authorization) {
  if (typeof authorization !== "string" || !authorization.startsWith("Bearer ")) return null;
  return usersByToken.get(authorization.slice(7)) ?? null;
}

const channels = {
  jobQuotes: (jobId) => `job:${jobId}:quotes`,
  workerJobs: (workerId) => `worker:${workerId}:jobs`,
};

// --- resolvers ------------------------------------------------------------------------------

const rootValue = {
  me: (_args, { viewer }) => viewer,

  register: ({ input }) => {
    const user = { id: String(nextId++), displayName: input.displayName, role: input.role };
    const token = randomBytes(24).toString("base64url");
    usersByToken.set(token, user);
    return { token, user };
  },

  updateWorkerProfile: ({ input }, { viewer }) => {
    const user = requireUser(viewer, "WORKER");
    if (user.profile) throw refused("The bench sets a profile once.", "BAD_USER_INPUT");
    user.profile = {
      id: user.id,
      categories: new Set(input.categories),
      location: input.location,
      radiusKm: input.serviceRadiusKm,
    };
    const cell = cellOf(input.location.lat, input.location.lng);
    if (!workersByCell.has(cell)) workersByCell.set(cell, []);
    workersByCell.get(cell).push(user.profile);
    return { id: user.id, displayName: user.displayName, ratingCount: 0, completedJobs: 0 };
  },

  postJob: ({ input }, { viewer }) => {
    const customer = requireUser(viewer, "CUSTOMER");
    const job = {
      id: String(nextId++),
      customerId: customer.id,
      status: "OPEN",
      title: input.title,
      category: input.category,
      address: input.address,
      budgetMinCents: input.budgetMinCents,
      budgetMaxCents: input.budgetMaxCents,
      createdAt: new Date(),
      matches: new Map(), // worker id -> { score, distanceKm }: carried in the event
    };
    for (const worker of workersByCell.get(cellOf(input.location.lat, input.location.lng)) ?? []) {
      if (!worker.categories.has(input.category)) continue;
      const km = distanceKm(input.location, worker.location);
      if (km > worker.radiusKm) continue;
      job.matches.set(worker.id, { score: 1 - km / worker.radiusKm, distanceKm: km });
      if (job.matches.size >= MATCH_LIMIT) break;
    }
    job.matchCount = job.matches.size;
    jobs.set(job.id, job);
    for (const workerId of job.matches.keys()) pubsub.publish(channels.workerJobs(workerId), job);
    return job;
  },

  // Writes nothing: a quote id, an event, and the answer.
  submitQuote: ({ input }, { viewer }) => {
    const worker = requireUser(viewer, "WORKER");
    const job = jobs.get(input.jobId);
    if (!job || !job.matches.has(worker.id)) throw refused(`No job ${input.jobId}.`, "NOT_FOUND");
    const quote = {
      id: String(nextId++),
      status: "PENDING",
      amountCents: input.amountCents,
      currency: "EUR",
      message: input.message,
      createdAt: new Date(),
      worker: {
        id: worker.id,
        displayName: worker.displayName,
        ratingAverage: null,
        ratingCount: 0,
        completedJobs: 0,
      },
    };
    pubsub.publish(channels.jobQuotes(job.id), quote);
    return quote;
  },
};

const schema = buildSchema(typeDefs);
schema.getType("DateTime").serialize = (value) => value.toISOString();
schema.getType("Job").getFields().myMatch.resolve = (job, _args, { viewer }) =>
  job.matches.get(viewer?.id) ?? null;

const subscription = schema.getSubscriptionType().getFields();
subscription.quoteReceived.subscribe = (_root, { jobId }, { viewer }) => {
  const user = requireUser(viewer, "CUSTOMER");
  if (jobs.get(jobId)?.customerId !== user.id) throw refused(`No job ${jobId}.`, "NOT_FOUND");
  return pubsub.subscribe(channels.jobQuotes(jobId));
};
subscription.quoteReceived.resolve = (quote) => quote;
subscription.matchingJobs.subscribe = (_root, _args, { viewer }) =>
  pubsub.subscribe(channels.workerJobs(requireUser(viewer, "WORKER").id));
subscription.matchingJobs.resolve = (job) => job;

// --- HTTP: POST /graphql (queries and mutations), GET /healthz --------------------------------

const documents = new Map(); // query text -> { document } or { errors }: parse + validate once

function prepared(query) {
  let entry = documents.get(query);
  if (!entry) {
    try {
      const document = parse(query);
      const errors = validate(schema, document, specifiedRules);
      entry = errors.length ? { errors } : { document };
    } catch (error) {
      entry = { errors: [error] };
    }
    if (documents.size >= 1000) documents.clear();
    documents.set(query, entry);
  }
  return entry;
}

function answer(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

function handleGraphQL(request, response) {
  const chunks = [];
  let size = 0;
  request.on("data", (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) request.destroy();
    else chunks.push(chunk);
  });
  request.on("end", async () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return answer(response, 400, { errors: [{ message: "The body is not JSON." }] });
    }
    if (typeof body?.query !== "string") {
      return answer(response, 400, { errors: [{ message: "No query." }] });
    }
    const entry = prepared(body.query);
    if (entry.errors) return answer(response, 400, { errors: entry.errors });
    const result = await execute({
      schema,
      document: entry.document,
      rootValue,
      variableValues: body.variables ?? {},
      contextValue: { viewer: viewerFrom(request.headers.authorization) },
    });
    answer(response, 200, result);
  });
}

const server = createServer((request, response) => {
  const path = request.url.split("?", 1)[0];
  if (path === "/healthz" && request.method === "GET") {
    return answer(response, 200, { status: "ok" });
  }
  if (path === "/graphql" && request.method === "POST") return handleGraphQL(request, response);
  answer(response, 404, { errors: [{ message: "Not found." }] });
});

// --- WebSocket: graphql-transport-ws on /graphql ----------------------------------------------

const threshold = Number(process.env.DEFLATE_THRESHOLD ?? 1024);
const wsServer = new WebSocketServer({
  server,
  path: "/graphql",
  perMessageDeflate: process.env.NO_DEFLATE ? false : { threshold },
});
useServer(
  {
    schema,
    // Auth once per connection, from connection_init, as fixhub does.
    onConnect: (ctx) => {
      const viewer = viewerFrom(ctx.connectionParams?.authorization);
      if (!viewer) return false; // graphql-ws closes with 4403 Forbidden
      ctx.extra.viewer = viewer;
      return true;
    },
    context: (ctx) => ({ viewer: ctx.extra.viewer }),
  },
  wsServer,
);

const { values } = parseArgs({
  options: { host: { type: "string", default: "127.0.0.1" }, port: { type: "string", default: "8100" } },
});
server.listen(Number(values.port), values.host, () => {
  console.log(`reference server on http://${values.host}:${values.port}/graphql`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    for (const client of wsServer.clients) client.terminate();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
