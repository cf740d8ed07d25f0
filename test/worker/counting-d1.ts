// A D1 binding that logs every round trip it makes: one entry per statement run on its own
// (first / all / run / raw) and one per batch, whatever its size. For tests that hold a code
// path to a number of D1 round trips.

export interface RoundTrip {
  database: string;
  /** The statement's SQL, or "batch of N" for a batch. */
  what: string;
  /** When it was issued and when it settled, as ticks of one counter: which trips overlapped (ran side by side). */
  issued?: number;
  settled?: number;
}

/** One clock for every counting binding: an event (a trip issued or settled) is one tick. */
let ticks = 0;

/** Logs the trip, runs it, and records when it settled. */
function timed<T>(log: RoundTrip[], database: string, what: string, run: () => Promise<T>): Promise<T> {
  const trip: RoundTrip = { database, what, issued: ++ticks };
  log.push(trip);
  return run().finally(() => {
    trip.settled = ++ticks;
  });
}

/** Round trips one after another: the longest chain of trips each issued after the one before settled. */
export function sequentialTrips(trips: RoundTrip[]): number {
  const depth = new Map<RoundTrip, number>();
  for (const trip of [...trips].sort((a, b) => a.issued! - b.issued!)) {
    const before = [...depth.keys()].filter((other) => other.settled! < trip.issued!);
    depth.set(trip, 1 + Math.max(0, ...before.map((other) => depth.get(other)!)));
  }
  return Math.max(0, ...depth.values());
}

export function countingD1(d1: D1Database, database: string, log: RoundTrip[]): D1Database {
  // D1 runs only its own statement objects in a batch: each wrapper maps back to its original.
  const originals = new WeakMap<object, D1PreparedStatement>();
  const wrap = (statement: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const trip = <T>(run: () => Promise<T>) => timed(log, database, sql, run);
    const wrapper = {
      bind: (...values: unknown[]) => wrap(statement.bind(...values), sql),
      first: (column?: string) => trip(() => (column === undefined ? statement.first() : statement.first(column))),
      all: () => trip(() => statement.all()),
      run: () => trip(() => statement.run()),
      raw: (options?: { columnNames?: boolean }) => trip(() => statement.raw(options as { columnNames: true })),
    };
    originals.set(wrapper, statement);
    return wrapper as unknown as D1PreparedStatement;
  };
  const wrapped = {
    prepare: (sql: string) => wrap(d1.prepare(sql), sql),
    batch: (statements: D1PreparedStatement[]) =>
      timed(log, database, `batch of ${statements.length}`, () => d1.batch(statements.map((s) => originals.get(s) ?? s))),
    exec: (sql: string) => timed(log, database, sql, () => d1.exec(sql)),
    dump: () => d1.dump(),
    withSession: () => {
      throw new Error("countingD1: sessions are not wrapped");
    },
  };
  return wrapped as unknown as D1Database;
}
