import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A throw-away certificate authority and a server certificate it signed, for the endpoint's AMQPS port. */
export interface LocalCertificate {
  /** The CA certificate (PEM) a client trusts to verify the endpoint. */
  readonly caFile: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** Deletes the directory holding the files. */
  remove(): Promise<void>;
}

const VALID_DAYS = "7";
const SERVER_EXTENSIONS = ["subjectAltName=DNS:localhost,IP:127.0.0.1", "basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature", "extendedKeyUsage=serverAuth"].join("\n");

/**
 * Generates, with the machine's `openssl`, a CA and a server certificate for `localhost` and `127.0.0.1` into a new
 * temporary directory. Keys are P-256 (fast to make) and never leave the directory; a new pair is made per start.
 */
export async function generateLocalCertificate(): Promise<LocalCertificate> {
  const dir = await mkdtemp(join(tmpdir(), "local-eventhubs-tls-"));
  const path = (name: string) => join(dir, name);
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  try {
    await run("openssl", ["req", "-x509", ...newKey, "-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", VALID_DAYS, "-subj", "/CN=Local Event Hubs test CA",
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    await run("openssl", ["req", ...newKey, "-keyout", path("server.key"), "-out", path("server.csr"), "-subj", "/CN=localhost"]);
    await writeFile(path("server.ext"), SERVER_EXTENSIONS);
    await run("openssl", ["x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial", "-out", path("server.pem"),
      "-days", VALID_DAYS, "-extfile", path("server.ext")]);
    const [certificatePem, privateKeyPem] = await Promise.all([readFile(path("server.pem"), "utf8"), readFile(path("server.key"), "utf8")]);
    return { caFile: path("ca.pem"), certificatePem, privateKeyPem, remove: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "openssl is not installed (apt-get install openssl)" : (error as Error).message;
    throw new Error(`local Event Hubs: cannot generate the AMQPS certificate: ${reason}`);
  }
}
