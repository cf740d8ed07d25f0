// workerd provides node:async_hooks' AsyncLocalStorage under the `nodejs_compat` flag
// (wrangler.toml); the Worker's types (tsconfig.json) do not include Node's, so this is
// the one part of it the Worker uses.
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    run<R>(store: T, callback: () => R): R;
    getStore(): T | undefined;
  }
}
