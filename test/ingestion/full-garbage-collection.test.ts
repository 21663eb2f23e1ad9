import { fullGarbageCollection } from "../../functions/ingestion/full-garbage-collection";

describe("fullGarbageCollection", () => {
  it("frees unreachable objects at once, without exposing gc to the program", () => {
    const collect = fullGarbageCollection();
    let garbage: Array<{ index: number; text: string }> | null = Array.from({ length: 500_000 }, (_, index) => ({ index, text: `record ${index}` }));
    const withGarbage = process.memoryUsage().heapUsed;
    const held = garbage.length;
    garbage = null;
    collect();
    // 500 000 small objects and strings are tens of MB; at least 20 MB must be gone right after the call.
    expect(withGarbage - process.memoryUsage().heapUsed).toBeGreaterThan(20 * 1024 * 1024);
    expect(held).toBe(500_000);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
