import { forEachConcurrently, mapInOrder } from "../../functions/ingestion/bounded-concurrency";
import { setTimeout as sleep } from "node:timers/promises";

async function* numbers(count: number) {
  for (let i = 0; i < count; i += 1) yield i;
}

/** Tracks how many calls are in flight at once. */
function gauge() {
  let current = 0;
  let peak = 0;
  return {
    get peak() {
      return peak;
    },
    async around<T>(work: () => Promise<T>): Promise<T> {
      current += 1;
      peak = Math.max(peak, current);
      try {
        return await work();
      } finally {
        current -= 1;
      }
    },
  };
}

describe("mapInOrder", () => {
  it("yields results in input order while calls finish out of order, with at most `concurrency` in flight", async () => {
    const inFlight = gauge();
    const results: number[] = [];
    for await (const result of mapInOrder(numbers(20), 4, (n) => inFlight.around(() => sleep((20 - n) % 7).then(() => n * 10)))) results.push(result);
    expect(results).toEqual(Array.from({ length: 20 }, (_, n) => n * 10));
    expect(inFlight.peak).toBe(4);
  });

  it("fails with the first failing call's error in input order", async () => {
    const received: number[] = [];
    const run = async () => {
      for await (const n of mapInOrder(numbers(10), 3, async (n) => {
        if (n === 4) throw new Error("four");
        return n;
      })) received.push(n);
    };
    await expect(run()).rejects.toThrow("four");
    expect(received).toEqual([0, 1, 2, 3]);
  });
});

describe("forEachConcurrently", () => {
  it("runs every item with at most `concurrency` in flight", async () => {
    const inFlight = gauge();
    const seen: number[] = [];
    await forEachConcurrently(Array.from({ length: 25 }, (_, i) => i), 5, (n) => inFlight.around(() => sleep(n % 3).then(() => void seen.push(n))));
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(inFlight.peak).toBe(5);
  });

  it("fails with the first error and starts nothing after it, letting the tasks in flight finish", async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const attempt = forEachConcurrently([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      if (n === 0) throw new Error("zero");
      await sleep(5);
      finished.push(n);
    });
    await expect(attempt).rejects.toThrow("zero");
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([1]);
  });
});
