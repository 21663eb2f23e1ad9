/** Collects every problem with a construct's props so one synth run reports them all. */
export class PropsValidation {
  private readonly problems: string[] = [];

  constructor(private readonly constructName: string) {}

  /** Records `message` when `valid` is false. The message names the prop, shows the value and says the fix. */
  require(valid: boolean, message: string): void {
    if (!valid) this.problems.push(message);
  }

  throwIfInvalid(): void {
    if (this.problems.length > 0) {
      throw new Error(`${this.constructName}: invalid props:\n  - ${this.problems.join("\n  - ")}`);
    }
  }
}

export function isIntegerInRange(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}
