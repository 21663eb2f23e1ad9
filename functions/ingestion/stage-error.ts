/**
 * An expected failure of the stage step (a missing folder, an invalid option): its message names the input and the
 * fix, so the CLI prints it without a stack trace.
 */
export class StageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StageError";
  }
}
