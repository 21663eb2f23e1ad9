import { promises as fs } from "node:fs";
import * as path from "node:path";
import { forEachConcurrently } from "./bounded-concurrency";
import type { ResponseWithPrecision } from "./duplicate-kind";

/** What the stage writes to disk for each valid response while reading the dataset. */
export type SpilledResponse = ResponseWithPrecision;

/** One UTC hour's spilled responses, in the order they were appended (byte order of their file paths). */
export interface SpilledHour {
  /** `yyyy-MM-ddTHH`, the UTC hour. */
  readonly hour: string;
  readonly records: readonly SpilledResponse[];
}

/** Spill files appended to at the same time during a flush. */
const FLUSH_CONCURRENCY = 8;

/**
 * Groups records by UTC hour on disk, so that memory holds at most `bufferBytes` of records while a dataset is read
 * and one hour's records while it is staged. Each hour is a JSON lines file `<yyyy-MM-ddTHH>.jsonl` in `directory`;
 * records are buffered per hour and all buffers are appended once they exceed `bufferBytes` (string length, about
 * the size of the lines), one append per hour file per flush, so each file keeps the append order.
 */
export class HourSpill {
  private buffers = new Map<string, string[]>();
  private buffered = 0;
  private readonly hoursSeen = new Set<string>();

  constructor(
    private readonly directory: string,
    private readonly bufferBytes: number,
  ) {}

  /** Length of the lines waiting in memory. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Buffers a record; returns true when the buffers were written to the spill files (and emptied) by this call. */
  async append(record: SpilledResponse): Promise<boolean> {
    const hour = record.response.responseTime.slice(0, 13);
    const line = `${JSON.stringify(record)}\n`;
    const lines = this.buffers.get(hour);
    if (lines) lines.push(line);
    else this.buffers.set(hour, [line]);
    this.hoursSeen.add(hour);
    this.buffered += line.length;
    if (this.buffered <= this.bufferBytes) return false;
    await this.flush();
    return true;
  }

  /** Writes what is buffered and returns the hours spilled, in order. */
  async close(): Promise<readonly string[]> {
    await this.flush();
    return [...this.hoursSeen].sort();
  }

  /** Reads the hours back one at a time, in order; an hour's file is removed once the caller asks for the next. */
  async *readHours(): AsyncGenerator<SpilledHour> {
    for (const hour of [...this.hoursSeen].sort()) {
      const file = this.fileOf(hour);
      const records = (await fs.readFile(file, "utf8"))
        .split("\n")
        .slice(0, -1)
        .map((line, index) => parseSpilledLine(line, file, index + 1));
      yield { hour, records };
      await fs.rm(file);
    }
  }

  private async flush(): Promise<void> {
    const buffers = this.buffers;
    this.buffers = new Map();
    this.buffered = 0;
    await forEachConcurrently(buffers, FLUSH_CONCURRENCY, ([hour, lines]) => fs.appendFile(this.fileOf(hour), lines.join(""), { mode: 0o600 }));
  }

  private fileOf(hour: string): string {
    return path.join(this.directory, `${hour}.jsonl`);
  }
}

/** The spill is the stage's own output, so a line that does not parse means the disk or another process changed it. */
function parseSpilledLine(line: string, file: string, lineNumber: number): SpilledResponse {
  try {
    return JSON.parse(line) as SpilledResponse;
  } catch (error) {
    throw new Error(`spill file ${file} line ${lineNumber} is not the JSON the stage wrote (${(error as Error).message}); was the work folder changed during the run?`);
  }
}
