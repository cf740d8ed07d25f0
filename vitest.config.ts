import { defineConfig } from "vitest/config";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";

// Two projects under one `npm test`:
//  - workers: tests that run inside workerd (Miniflare) against the real D1 migrations;
//  - node:    bridge and end-to-end tests on Node with real RabbitMQ and Redis.
export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  AUTH_SECRET: "test-auth-secret-0123456789abcdef0123456789",
                  BRIDGE_SECRET: "test-bridge-secret-0123456789abcdef012345",
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
      ],
    },
  };
});
