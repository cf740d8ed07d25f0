// A full garbage collection of the bench process itself, between timed phases. The bench
// process is the load generator (every client, the SDK's HTTP sends) and also hosts
// wrangler's Node side of the local Worker, so its heap is large: a major GC inside a 3 s
// phase stalls every client's receipt for 10-30 ms at once, which the phase then reports as
// the system's latency (seen 2026-11-27: the slow messages of a 100 msgs/s phase fell exactly
// on the load process's GC pauses). Collecting before each phase, as benchmark harnesses do
// between iterations, starts every phase from a clean heap; GC that a phase's own garbage
// causes still counts. The system under test (workerd, the bridge node) is never touched.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | undefined;

/** Runs a full GC of this process (V8's `gc()`, exposed at first use). */
export function collectLoadGarbage(): void {
  if (!gc) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}
