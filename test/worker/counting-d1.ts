// A D1 binding that logs every round trip it makes: one entry per statement run on its own
// (first / all / run / raw) and one per batch, whatever its size. For tests that hold a code
// path to a number of D1 round trips.

export interface RoundTrip {
  database: string;
  /** The statement's SQL, or "batch of N" for a batch. */
  what: string;
}

export function countingD1(d1: D1Database, database: string, log: RoundTrip[]): D1Database {
  // D1 runs only its own statement objects in a batch: each wrapper maps back to its original.
  const originals = new WeakMap<object, D1PreparedStatement>();
  const wrap = (statement: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const trip = () => log.push({ database, what: sql });
    const wrapper = {
      bind: (...values: unknown[]) => wrap(statement.bind(...values), sql),
      first: (column?: string) => (trip(), column === undefined ? statement.first() : statement.first(column)),
      all: () => (trip(), statement.all()),
      run: () => (trip(), statement.run()),
      raw: (options?: { columnNames?: boolean }) => (trip(), statement.raw(options as { columnNames: true })),
    };
    originals.set(wrapper, statement);
    return wrapper as unknown as D1PreparedStatement;
  };
  const wrapped = {
    prepare: (sql: string) => wrap(d1.prepare(sql), sql),
    batch: (statements: D1PreparedStatement[]) => {
      log.push({ database, what: `batch of ${statements.length}` });
      return d1.batch(statements.map((s) => originals.get(s) ?? s));
    },
    exec: (sql: string) => (log.push({ database, what: sql }), d1.exec(sql)),
    dump: () => d1.dump(),
    withSession: () => {
      throw new Error("countingD1: sessions are not wrapped");
    },
  };
  return wrapped as unknown as D1Database;
}
