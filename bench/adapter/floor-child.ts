// The floor for bench/adapter: raw RabbitMQ, nothing else. One publisher connection (a
// confirm channel) publishes to a direct exchange at the offered rate, open loop; one
// consumer connection (its own queue, prefetch 64, manual acks) takes each message off.
// Latency is from the message's due time to its consumption; both ends are this process,
// which is all the Node CPU counted. Prints one JSON line: RatePhase[].
import { randomUUID } from "node:crypto";
import { connect } from "amqplib";
import { cpuMs, pidsNamed } from "../proc.js";
import { latencySummary, openLoop, type RatePhase } from "./open-loop.js";

const [ratesJson, durationText, payloadText] = process.argv.slice(2);
const url = process.env.RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672";

async function main(): Promise<RatePhase[]> {
  const rates = JSON.parse(ratesJson!) as number[];
  const durationMs = Number(durationText);
  const payload = Buffer.from(payloadText ?? "x".repeat(400));
  const exchange = `bench.floor.${randomUUID().slice(0, 8)}`;
  const pubConnection = await connect(url, { noDelay: true });
  const subConnection = await connect(url, { noDelay: true });
  const pub = await pubConnection.createConfirmChannel();
  const sub = await subConnection.createChannel();
  await pub.assertExchange(exchange, "direct", { durable: false, autoDelete: true });
  const { queue } = await sub.assertQueue("", { exclusive: true, autoDelete: true });
  await sub.bindQueue(queue, exchange, "floor");
  await sub.prefetch(64);

  const dueAt: number[] = [];
  let received = 0;
  let lastAt = 0;
  let phaseFrom = 0;
  let latencies: number[] = [];
  await sub.consume(queue, (message) => {
    if (!message) return;
    const i = message.content.readUInt32BE(0);
    const now = performance.now();
    if (i >= phaseFrom) {
      latencies.push(now - dueAt[i]!);
      received++;
      lastAt = now;
    }
    sub.ack(message);
  });

  let base = 0;
  let failed = 0;
  const send = (i: number, due: number) => {
    const id = base + i;
    dueAt[id] = due;
    const body = Buffer.from(payload);
    body.writeUInt32BE(id, 0);
    pub.publish(exchange, "floor", body, {}, (error) => {
      if (error) failed++;
    });
  };
  // Warm-up: connections, JIT.
  await openLoop(1000, 300, (i, due) => send(i, due));
  base = 300;
  await new Promise((resolve) => setTimeout(resolve, 300));

  const rabbitPids = pidsNamed("beam.smp");
  const results: RatePhase[] = [];
  for (const rate of rates) {
    phaseFrom = base;
    received = 0;
    latencies = [];
    failed = 0;
    const sent = Math.round((rate * durationMs) / 1000);
    const rabbitBefore = cpuMs(rabbitPids);
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    await openLoop(rate, durationMs, send);
    const deadline = performance.now() + 3_000;
    while (received < sent && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const cpu = process.cpuUsage(cpuBefore);
    const rabbitAfter = cpuMs(rabbitPids);
    const per1k = (ms: number | undefined) => (ms === undefined || received === 0 ? undefined : (ms / received) * 1000);
    results.push({
      offeredPerSecond: rate,
      sent,
      delivered: received,
      failed,
      deliveredPerSecond: received / ((lastAt - start) / 1000),
      latencyMs: latencySummary(latencies),
      cpuMsPer1k: {
        nodes: per1k((cpu.user + cpu.system) / 1000),
        rabbitmq: per1k(rabbitBefore === undefined || rabbitAfter === undefined ? undefined : rabbitAfter - rabbitBefore),
      },
    });
    base += sent;
  }
  await pubConnection.close();
  await subConnection.close();
  return results;
}

main().then(
  (results) => {
    process.stdout.write(`${JSON.stringify(results)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
