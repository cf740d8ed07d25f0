import { z } from "zod";
import { ERROR_STATUS, ErrorBody } from "../../protocol/index.js";
import { routeRegistry, type RegisteredRoute } from "./api-router.js";

const GENERIC_ERRORS = ["internal"] as const;

function jsonSchema(schema: z.ZodType, io: "input" | "output") {
  // Schemas with transforms or defaults differ on the way in and out; document the right side.
  return z.toJSONSchema(schema, { io, unrepresentable: "any", target: "openapi-3.0" });
}

function operation(route: RegisteredRoute) {
  const params = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  const query = route.query ? queryParameters(route.query) : [];
  const errorCodes = new Set<string>([
    ...(route.errors ?? []),
    ...GENERIC_ERRORS,
    ...(route.body ? ["invalid_json", "invalid_body", "payload_too_large"] : []),
    ...(route.query ? ["invalid_query"] : []),
    ...(route.auth === false ? [] : route.auth === "admin" ? ["unauthorized", "not_found"] : ["unauthorized", "token_expired"]),
  ]);
  const byStatus = new Map<number, string[]>();
  for (const code of errorCodes) {
    const status = ERROR_STATUS[code as keyof typeof ERROR_STATUS];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, unknown> = {
    [route.response.status]: {
      description: route.response.description ?? "success",
      ...(route.response.schema
        ? { content: { "application/json": { schema: jsonSchema(route.response.schema, "output") } } }
        : route.response.contentType
          ? { content: { [route.response.contentType]: { schema: { type: "string", format: "binary" } } } }
          : {}),
    },
  };
  for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    responses[status] = {
      description: `error codes: ${codes.join(", ")}`,
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    };
  }
  return {
    tags: [route.tag],
    summary: route.summary,
    operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ?? "").toUpperCase())}`,
    ...(route.auth === false ? { security: [] } : route.auth === "admin" ? { security: [{ adminSecret: [] }] } : {}),
    parameters: [...params, ...query],
    ...(route.body
      ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(route.body, "input") } } } }
      : route.rawBody
        ? {
            requestBody: {
              required: true,
              description: route.rawBody.description,
              content: { [route.rawBody.contentType]: { schema: { type: "string", format: "binary" } } },
            },
          }
        : {}),
    responses,
  };
}

function queryParameters(schema: z.ZodType) {
  const doc = jsonSchema(schema, "input") as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(doc.properties ?? {}).map(([name, s]) => ({
    name,
    in: "query",
    required: doc.required?.includes(name) ?? false,
    schema: s,
  }));
}

/** The OpenAPI 3.0 document for every route registered so far (all of them, once app.ts loaded). */
export function buildOpenApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routeRegistry) {
    const path = route.path.replace(/:([A-Za-z]+)/g, "{$1}");
    (paths[path] ??= {})[route.method] = operation(route);
  }
  return {
    openapi: "3.0.3",
    info: {
      title: "edge-im API",
      version: "1",
      description: "HTTP API of edge-im. Every error is `{ error: { code, message } }`; see docs/API.md.",
    },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
        adminSecret: { type: "http", scheme: "bearer", description: "the Worker's ADMIN_SECRET (docs/API.md, Admin)" },
      },
      schemas: { Error: jsonSchema(ErrorBody, "output") },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
