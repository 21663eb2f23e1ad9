import { percentile } from "../../local/percentile";

test("nearest-rank percentiles return a measured value, never an interpolated one", () => {
  const values = [40, 10, 30, 20, 50, 60, 70, 80, 90, 100];
  expect(percentile(values, 50)).toBe(50);
  expect(percentile(values, 90)).toBe(90);
  expect(percentile(values, 99)).toBe(100);
  expect(percentile(values, 100)).toBe(100);
  expect(percentile(values, 0)).toBe(10);
  expect(percentile([7], 99)).toBe(7);
  expect(values).toEqual([40, 10, 30, 20, 50, 60, 70, 80, 90, 100]);
});

test("is undefined without values and fails on a percentile outside 0..100", () => {
  expect(percentile([], 50)).toBeUndefined();
  expect(() => percentile([1], 101)).toThrow("percentile: p must be from 0 to 100, got 101");
  expect(() => percentile([1], Number.NaN)).toThrow("percentile: p must be from 0 to 100, got NaN");
});
