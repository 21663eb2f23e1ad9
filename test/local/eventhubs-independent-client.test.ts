import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { startLocalEventHubs, type LocalEventHubs } from "../../local/eventhubs";

// Debian's python3-qpid-proton installs for the system interpreter, which a version manager's `python3` may shadow.
const PYTHON = "/usr/bin/python3";
const CLIENT = join(__dirname, "clients", "proton_eventhubs_client.py");
const KEY_NAME = "RootManageSharedAccessKey";

interface ClientReport {
  readonly sent: number;
  readonly accepted: number;
  readonly received: readonly { body: { eventId: string; client: string }; sequenceNumber: number }[];
  readonly open?: { containerId: string; hostname: string; maxFrameSize: number; channelMax: number; idleTimeoutMs: number; properties: Record<string, unknown> };
  readonly attach?: { maxMessageSize: number; properties: Record<string, string> };
  readonly putToken?: { status: number; description: string };
  readonly linkRefused?: { condition: string; description: string };
  readonly error?: string;
}

/** Runs the Qpid Proton client against the AMQPS port; resolves with its exit code and JSON report. */
function runProtonClient(hubs: LocalEventHubs, hub: string, partition: string, key: string, count: number): Promise<{ exitCode: number; report: ClientReport }> {
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      [CLIENT, String(hubs.tlsPort), hub, partition, hubs.caFile!, KEY_NAME, String(count)],
      { env: { PATH: process.env.PATH, LOCAL_EVENTHUBS_KEY: key }, timeout: 45_000 },
      (error, stdout, stderr) => {
        const exitCode = error ? Number((error as { code?: number }).code ?? -1) : 0;
        try {
          resolve({ exitCode, report: JSON.parse(stdout) as ClientReport });
        } catch {
          reject(new Error(`the Proton client (${PYTHON} with python3-qpid-proton) printed no report; exit ${exitCode}; stderr: ${stderr}`));
        }
      },
    );
  });
}

let hubs: LocalEventHubs;
beforeAll(async () => {
  hubs = await startLocalEventHubs({ hubs: [{ name: "independent", partitionCount: 2 }, { name: "guarded", partitionCount: 1 }] });
});
afterAll(async () => {
  await hubs.close();
});

const keyOf = (endpoint: LocalEventHubs) => /SharedAccessKey=([^;]+)/.exec(endpoint.connectionString())![1];

test("a Qpid Proton client sends events over AMQPS and reads them back, after putting a 'jwt'-typed SAS token without reply_to", async () => {
  const { exitCode, report } = await runProtonClient(hubs, "independent", "1", keyOf(hubs), 5);
  expect(report.error).toBeUndefined();
  expect(exitCode).toBe(0);
  expect(report.putToken).toEqual({ status: 202, description: "Accepted" });
  expect(report.accepted).toBe(5);
  expect(report.received.map((event) => [event.body.eventId, event.sequenceNumber])).toEqual([0, 1, 2, 3, 4].map((n) => [`py-${n}`, n]));
  expect(hubs.events("independent").map((event) => [event.partitionId, (event.body as { eventId: string }).eventId])).toEqual([0, 1, 2, 3, 4].map((n) => ["1", `py-${n}`]));
  // The fields the service always sends, as the independent client read them off the wire.
  expect(report.open).toEqual({ containerId: expect.stringMatching(/^local-eventhubs-/), hostname: "127.0.0.1", maxFrameSize: 65536, channelMax: 4999, idleTimeoutMs: 120000, properties: { product: "local-eventhubs" } });
  expect(report.attach).toEqual({ maxMessageSize: 1024 * 1024, properties: { "com.microsoft:tracking-id": expect.stringMatching(/^[0-9a-f-]{36}$/) } });
});

test("fails with an authentication error when the Qpid Proton client signs with a wrong key", async () => {
  const { exitCode, report } = await runProtonClient(hubs, "guarded", "0", Buffer.from("wrong-key").toString("base64"), 1);
  expect(exitCode).toBe(3);
  expect(report.putToken).toEqual({ status: 401, description: "InvalidSignature: The token has an invalid signature." });
  expect(report.linkRefused).toEqual({ condition: "amqp:unauthorized-access", description: "Unauthorized access to 'guarded/Partitions/0': put a valid token on $cbs first." });
  expect(report.sent).toBe(0);
  expect(hubs.events("guarded")).toHaveLength(0);
});

test("the AMQPS certificate is verified against the CA file the endpoint reports, and removed with the endpoint", async () => {
  const own = await startLocalEventHubs({ hubs: [{ name: "short-lived", partitionCount: 1 }] });
  const caFile = own.caFile!;
  expect(own.tlsPort).not.toBe(own.port);
  expect(own.tlsConnectionString("short-lived")).toBe(`Endpoint=sb://localhost:${own.tlsPort}/;SharedAccessKeyName=${KEY_NAME};SharedAccessKey=${keyOf(own)};EntityPath=short-lived`);
  // A client that trusts another endpoint's CA must refuse this one's certificate.
  const { exitCode, report } = await runProtonClient({ ...own, caFile: hubs.caFile } as LocalEventHubs, "short-lived", "0", keyOf(own), 1);
  expect(exitCode).toBe(1);
  expect(report.error).toMatch(/certificate verify failed|SSL/i);
  await own.close();
  expect(existsSync(caFile)).toBe(false);
});

test("an endpoint started with tlsPort: false has no AMQPS port", async () => {
  const plain = await startLocalEventHubs({ hubs: [{ name: "plain", partitionCount: 1 }], tlsPort: false });
  try {
    expect(plain.tlsPort).toBeUndefined();
    expect(plain.caFile).toBeUndefined();
    expect(() => plain.tlsConnectionString()).toThrow("tlsConnectionString: the endpoint was started with tlsPort: false");
  } finally {
    await plain.close();
  }
});
