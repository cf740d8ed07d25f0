import { defineConfig } from "vitest/config";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";

// Two projects under one `npm test`:
//  - workers: tests that run inside workerd (Miniflare) against the real D1 migrations;
//  - node:    bridge and end-to-end tests on Node with real RabbitMQ and Redis.
export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  const messageMigrations = await readD1Migrations("migrations/messages");
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                // Two message databases, so every test also exercises the directory: MESSAGES_0
                // comes from wrangler.toml, MESSAGES_1 is added here (worker/db/message-databases.ts).
                d1Databases: { MESSAGES_1: "edge-im-messages-1" },
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  TEST_MESSAGE_MIGRATIONS: messageMigrations,
                  MESSAGE_DATABASES: "MESSAGES_0,MESSAGES_1",
                  AUTH_SECRET: "test-auth-secret-0123456789abcdef0123456789",
                  BRIDGE_SECRET: "test-bridge-secret-0123456789abcdef012345",
                  // The back office's secret (test/worker/admin.test.ts).
                  ADMIN_SECRET: "test-admin-secret-0123456789abcdef0123456789",
                  // One allowed browser origin, for the CORS tests (test/worker/cors.test.ts).
                  CORS_ORIGINS: "https://chat.example",
                  // A small storage quota, so test/worker/limits-uploads.test.ts reaches it, and a
                  // large frame limit for the property test's 600 quick frames on one socket
                  // (test/worker/limits.test.ts bursts past it). Every other limit keeps its
                  // default (worker/limits/limit-config.ts): the limit tests burst past them, the
                  // other files stay under them.
                  STORAGE_QUOTA_BYTES: String(12 * 1024 * 1024),
                  LIMIT_FRAMES: "1000/10",
                  // Short, so a test can step past it (sessions.test.ts).
                  REFRESH_REUSE_GRACE_SECONDS: "1",
                },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/worker/**/*.test.ts"],
            setupFiles: ["./test/worker/apply-migrations.ts"],
          },
        },
        {
          test: {
            name: "node",
            environment: "node",
            include: ["test/bridge/**/*.test.ts", "test/e2e/**/*.test.ts", "test/client/**/*.test.ts", "test/browser/**/*.test.ts"],
            // One local Worker linked to one bridge node for every file (test/e2e/global-setup.ts).
            globalSetup: ["./test/e2e/global-setup.ts"],
            // Real brokers, real timeouts: a node's liveness TTL alone is seconds.
            testTimeout: 30_000,
            hookTimeout: 60_000,
          },
        },
      ],
    },
  };
});
