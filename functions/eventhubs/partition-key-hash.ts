/**
 * The Event Hubs service's mapping from a partition key to a partition: Bob Jenkins' lookup3 `hashlittle2` over the
 * key's UTF-8 bytes with both seeds 0, the two 32-bit results XOR-ed and truncated to a signed 16-bit value, then
 * `|hash % partitionCount|`. Events with the same key must land where the service would put them, or per-key order
 * differs between the local endpoint and the cloud.
 */
export function partitionIndexForKey(partitionKey: string, partitionCount: number): number {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) throw new Error(`partitionIndexForKey: partitionCount must be a positive integer, got ${partitionCount}`);
  return Math.abs(partitionKeyHash(partitionKey) % partitionCount);
}

/** The signed 16-bit hash the service computes for a partition key (the value the SDKs' resolver tests list). */
export function partitionKeyHash(partitionKey: string): number {
  const state = hashlittle2(Buffer.from(partitionKey, "utf8"));
  return ((state[C] ^ state[B]) << 16) >> 16;
}

const A = 0;
const B = 1;
const C = 2;
const GOLDEN = 0xdeadbeef;

/** lookup3's `mix` as (x, y, z, r) steps: x -= z; x ^= rot(z, r); z += y. */
const MIX_STEPS: readonly (readonly [number, number, number, number])[] = [
  [A, B, C, 4],
  [B, C, A, 6],
  [C, A, B, 8],
  [A, B, C, 16],
  [B, C, A, 19],
  [C, A, B, 4],
];

/** lookup3's `final` as (x, y, r) steps: x ^= y; x -= rot(y, r). */
const FINAL_STEPS: readonly (readonly [number, number, number])[] = [
  [C, B, 14],
  [A, C, 11],
  [B, A, 25],
  [C, B, 16],
  [A, C, 4],
  [B, A, 14],
  [C, B, 24],
];

const rotate = (value: number, bits: number): number => ((value << bits) | (value >>> (32 - bits))) >>> 0;

/** Returns the internal state [a, b, c]; a Uint32Array keeps every step modulo 2^32 as the C code's uint32_t does. */
function hashlittle2(bytes: Uint8Array): Uint32Array {
  const state = new Uint32Array(3);
  state[A] = state[B] = state[C] = GOLDEN + bytes.length;
  let offset = 0;
  let remaining = bytes.length;
  while (remaining > 12) {
    addLittleEndian(state, bytes, offset, 12);
    for (const [x, y, z, bits] of MIX_STEPS) {
      state[x] -= state[z];
      state[x] ^= rotate(state[z], bits);
      state[z] += state[y];
    }
    offset += 12;
    remaining -= 12;
  }
  // An empty tail (only for the empty key) skips the final mix, as lookup3 does.
  if (remaining === 0) return state;
  addLittleEndian(state, bytes, offset, remaining);
  for (const [x, y, bits] of FINAL_STEPS) {
    state[x] ^= state[y];
    state[x] -= rotate(state[y], bits);
  }
  return state;
}

/** Adds up to 12 bytes into a, b, c as three little-endian words (missing high bytes count as zero). */
function addLittleEndian(state: Uint32Array, bytes: Uint8Array, offset: number, length: number): void {
  for (let index = 0; index < length; index++) state[index >> 2] += bytes[offset + index] * 2 ** (8 * (index & 3));
}
