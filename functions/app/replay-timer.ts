import { app } from "@azure/functions";
import { replaySchedule } from "../replay/replay-options";
import { replayHourly } from "../replay/replay-hourly-on-first-run";

// Re-exported so the bundled entry exposes the handler it registers (tests load the bundle and call it).
export { closeReplayTimerClients, replayHourly } from "../replay/replay-hourly-on-first-run";

/** The Functions entry: registers the hourly replay timer (schedule: REPLAY_SCHEDULE or hourly); the handler's SDKs load on its first run. */
app.timer("replayHourly", { schedule: replaySchedule(process.env), handler: replayHourly });
