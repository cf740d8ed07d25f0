// A tiny observable store: one immutable state object, replaced on every change, and a hook
// that re-renders a component only when the slice it selected changed. Enough for this app;
// no framework needed.
import { useEffect, useReducer, useRef } from "preact/hooks";

export interface Store<T> {
  get(): T;
  set(update: Partial<T> | ((state: T) => Partial<T>)): void;
  subscribe(listener: () => void): () => void;
}

export function createStore<T extends object>(initial: T): Store<T> {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    set(update) {
      const patch = typeof update === "function" ? update(state) : update;
      state = { ...state, ...patch };
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The selected slice; `select` must return a value kept in the state (not a new object). */
export function useStore<T, S>(store: Store<T>, select: (state: T) => S): S {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const selected = select(store.get());
  const latest = useRef({ select, selected });
  latest.current = { select, selected };
  useEffect(
    () =>
      store.subscribe(() => {
        if (!Object.is(latest.current.select(store.get()), latest.current.selected)) rerender(0);
      }),
    [store],
  );
  return selected;
}
