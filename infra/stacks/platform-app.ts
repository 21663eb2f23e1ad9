import { App } from "cdktf";
import type { EnvironmentConfig } from "../config/environment-config";
import { PlatformStack } from "./platform-stack";
import { stateBackendFor } from "./state-backend";

export interface PlatformAppOptions {
  readonly environments: readonly EnvironmentConfig[];
  /** @default - CDKTF_OUTDIR (set by the cdktf CLI), else "cdktf.out" */
  readonly outdir?: string;
  /** Source of the TFSTATE_* variables. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Builds one PlatformStack per environment; `app.synth()` writes <outdir>/stacks/<env>/cdk.tf.json. */
export function buildPlatformApp(options: PlatformAppOptions): App {
  const app = new App({ outdir: options.outdir });
  for (const config of options.environments) {
    new PlatformStack(app, { config, backend: stateBackendFor(config.name, options.env ?? process.env) });
  }
  return app;
}
