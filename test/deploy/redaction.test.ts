import { createRedactingLog } from "../../infra/deploy/redacting-log";
import { registeringCredential } from "../../infra/deploy/registering-credential";
import { staticTokenCredential } from "../peers/static-token-credential";

describe("redaction of secrets the stage obtains at run time", () => {
  it("hides every token a registering credential hands out, from the moment it is handed out", async () => {
    const lines: string[] = [];
    const { log, addSecret } = createRedactingLog((line) => lines.push(line), []);
    const credential = registeringCredential(staticTokenCredential("arm-token-0123456789"), addSecret);
    log("before: arm-token-0123456789");
    const token = await credential.getToken("https://management.azure.com/.default");
    log(`after: Bearer ${token?.token}`);
    expect(token?.token).toBe("arm-token-0123456789");
    expect(lines).toEqual(["before: arm-token-0123456789", "after: Bearer ***"]);
  });

  it("leaves values shorter than 8 characters alone (they would blank ordinary words)", () => {
    const lines: string[] = [];
    const { log, addSecret } = createRedactingLog((line) => lines.push(line), []);
    addSecret("dev");
    addSecret("longer-secret");
    log("deploy dev with longer-secret");
    expect(lines).toEqual(["deploy dev with ***"]);
  });
});
