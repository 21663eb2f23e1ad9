import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { AnonymousCredential, ContainerClient } from "@azure/storage-blob";
import { HourReadAhead } from "../../functions/replay/hour-read-ahead";

/** A blob endpoint that only counts the requests reaching it (and answers 404): a read-ahead that starts is seen here. */
let server: http.Server;
let requests = 0;
beforeAll(async () => {
  server = http.createServer((request, response) => {
    requests += 1;
    request.resume();
    response.writeHead(404, { "x-ms-error-code": "ContainerNotFound" }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function container(): ContainerClient {
  return new ContainerClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}/devstoreaccount1/processed-data`, new AnonymousCredential(), { retryOptions: { maxTries: 1 } });
}

test("a read-ahead waiting for its turn when the run drops it never starts, and drop() waits for that turn", async () => {
  const readAhead = new HourReadAhead(container(), 8);
  let allow!: () => void;
  const previousHourSealed = new Promise<void>((resolve) => (allow = resolve));
  readAhead.start(new Date("2023-03-01T02:00:00.000Z"), previousHourSealed);

  let dropped = false;
  const drop = readAhead.drop().then(() => (dropped = true));
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(dropped).toBe(false);
  allow();
  await drop;
  // Give a read that started anyway the time to reach the endpoint.
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(requests).toBe(0);
});

test("a read-ahead whose turn has come does read (the endpoint sees its listing)", async () => {
  const before = requests;
  const readAhead = new HourReadAhead(container(), 8);
  readAhead.start(new Date("2023-03-01T02:00:00.000Z"), Promise.resolve());
  await new Promise((resolve) => setImmediate(resolve));
  await readAhead.drop();
  expect(requests).toBe(before + 1);
});
