import { applyD1Migrations, env } from "cloudflare:test";

// Runs before each test file: the real SQL from migrations/ on the main database and from
// migrations/messages/ on each message database, as wrangler applies them.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
await applyD1Migrations(env.MESSAGES_0, env.TEST_MESSAGE_MIGRATIONS);
await applyD1Migrations(env.MESSAGES_1, env.TEST_MESSAGE_MIGRATIONS);
