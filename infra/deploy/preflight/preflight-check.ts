/** The outcome of one preflight check; a failed check says how to fix it. */
export interface PreflightCheck {
  readonly name: string;
  /** skip: an earlier check this one needs has failed. */
  readonly status: "pass" | "fail" | "skip";
  readonly detail: string;
  readonly fix?: string;
}

export const pass = (name: string, detail: string): PreflightCheck => ({ name, status: "pass", detail });
export const fail = (name: string, detail: string, fix: string): PreflightCheck => ({ name, status: "fail", detail, fix });
export const skip = (name: string, needs: string): PreflightCheck => ({ name, status: "skip", detail: `not checked: needs ${needs}` });
