// Are the real services there? The node tests never mock RabbitMQ or Redis: in CI a
// missing service fails the run; on a developer's machine the suites that need them are
// skipped with a message saying how to start them.
import { connect } from "amqplib";
import { Redis } from "ioredis";

export const RABBITMQ_URL = process.env.RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

const HOW_TO_START = [
  "RabbitMQ: `rabbitmq-server -detached` (or your package manager / the compose file)",
  "Redis:    `redis-server --daemonize yes --bind 127.0.0.1 --port 6379`",
].join("\n  ");

async function redisProblem(): Promise<string | undefined> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2_000 });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return `Redis at ${REDIS_URL}: ${(error as Error).message}`;
  } finally {
    redis.disconnect();
  }
}

async function rabbitProblem(): Promise<string | undefined> {
  try {
    const connection = await connect(RABBITMQ_URL, { timeout: 2_000 });
    await connection.close();
    return undefined;
  } catch (error) {
    return `RabbitMQ at ${RABBITMQ_URL}: ${(error as Error).message}`;
  }
}

/** Undefined when both services answer; otherwise what is missing and how to start it. */
export async function missingServices(): Promise<string | undefined> {
  const problems = (await Promise.all([rabbitProblem(), redisProblem()])).filter(Boolean);
  if (problems.length === 0) return undefined;
  return `real services unreachable:\n  ${problems.join("\n  ")}\nstart them:\n  ${HOW_TO_START}`;
}
