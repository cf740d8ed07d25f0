/**
 * Wraps a task so that calls while it runs do not start a second copy: they share one
 * more run after the current one (which may have started too early to see what they
 * asked for). The promise a caller gets settles with a run that began after its call.
 */
export function coalesce(task: () => Promise<void>): () => Promise<void> {
  let current: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const request = (): Promise<void> => {
    if (!current) {
      current = task().finally(() => (current = undefined));
      return current;
    }
    next ??= current
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return request();
      });
    return next;
  };
  return request;
}
