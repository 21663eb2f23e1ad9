import { app } from "@azure/functions";
import { replaySchedule } from "../replay/replay-options";
import { replayHourly } from "../replay/replay-hourly-handler";

// Re-exported so the bundled entry exposes the handler it registers (tests load the bundle and call it).
export { closeReplayTimerClients, replayHourly } from "../replay/replay-hourly-handler";

/** The Functions entry: registers the hourly replay timer (schedule: REPLAY_SCHEDULE or hourly). */
app.timer("replayHourly", { schedule: replaySchedule(process.env), handler: replayHourly });
