/** `{ type, data }` for each key of an event map: the union an async iterator yields. */
export type HubEvent<M> = { [K in keyof M]: { type: K; data: M[K] } }[keyof M];

/**
 * Typed listeners and async iterators over one event map. A listener that throws is
 * reported and skipped, never allowed to break the SDK's own state.
 */
export class EventHub<M> {
  private readonly listeners = new Map<keyof M, Set<(data: never) => void>>();
  private readonly sinks = new Set<(event: HubEvent<M> | undefined) => void>();

  on<K extends keyof M>(type: K, listener: (data: M[K]) => void): () => void {
    const set = this.listeners.get(type) ?? new Set();
    this.listeners.set(type, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof M>(type: K, data: M[K]): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) {
      try {
        (listener as (data: M[K]) => void)(data);
      } catch (error) {
        console.error(`edge-im: a "${String(type)}" listener threw`, error);
      }
    }
    const event = { type, data } as HubEvent<M>;
    for (const sink of this.sinks) sink(event);
  }

  /** Every event from now on, in order, until `end()` (or the consumer breaks out). */
  iterate(): AsyncIterableIterator<HubEvent<M>> {
    const queue: HubEvent<M>[] = [];
    let ended = false;
    let wake: (() => void) | undefined;
    const sink = (event: HubEvent<M> | undefined) => {
      if (event) queue.push(event);
      else ended = true;
      wake?.();
    };
    this.sinks.add(sink);
    const stop = () => {
      this.sinks.delete(sink);
      sink(undefined);
    };
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next(): Promise<IteratorResult<HubEvent<M>>> {
        while (queue.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        const value = queue.shift();
        return value ? { value, done: false } : { value: undefined, done: true };
      },
      async return(): Promise<IteratorResult<HubEvent<M>>> {
        stop();
        queue.length = 0;
        return { value: undefined, done: true };
      },
    };
  }

  /** Ends every iterator once it has yielded what was already queued. */
  end(): void {
    for (const sink of [...this.sinks]) {
      this.sinks.delete(sink);
      sink(undefined);
    }
  }
}
