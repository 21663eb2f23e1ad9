/**
 * Maps items with up to `concurrency` calls in flight and yields the results in input order, pulling from `source`
 * only as results are consumed (a window, not a full buffer).
 */
export async function* mapInOrder<T, R>(source: AsyncIterable<T>, concurrency: number, map: (item: T) => Promise<R>): AsyncGenerator<R> {
  const iterator = source[Symbol.asyncIterator]();
  const window: Promise<R>[] = [];
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && window.length < concurrency) {
        const next = await iterator.next();
        if (next.done) exhausted = true;
        else window.push(settleLater(map(next.value)));
      }
      const head = window.shift();
      if (head === undefined) return;
      yield await head;
    }
  } finally {
    if (!exhausted) await iterator.return?.();
    // Let calls already in flight finish before the caller moves on (e.g. closes what they use).
    await Promise.allSettled(window);
  }
}

/**
 * Runs `task` for every item with up to `concurrency` in flight. After the first failure no new task starts; the
 * tasks in flight finish, then the first error is thrown.
 */
export async function forEachConcurrently<T>(items: Iterable<T>, concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (failure === null) {
      const next = iterator.next();
      if (next.done) return;
      try {
        await task(next.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failure !== null) throw (failure as { error: unknown }).error;
}

/** A rejected promise waiting in the window would otherwise be reported as unhandled before its turn. */
function settleLater<R>(promise: Promise<R>): Promise<R> {
  promise.catch(() => undefined);
  return promise;
}
