import { applyD1Migrations, env } from "cloudflare:test";

// Runs before each test file: the real SQL from migrations/, as wrangler applies it.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
