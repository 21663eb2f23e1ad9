import { spawnSync } from "node:child_process";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");

function lint(source: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [path.join(root, "node_modules", "eslint", "bin", "eslint.js"), "--stdin", "--stdin-filename", "infra/example.ts"], {
    cwd: root,
    input: source,
    encoding: "utf8",
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe("lint rule: provider imports by deep path only", () => {
  it("fails when a file imports the @cdktf/provider-azurerm barrel", () => {
    const { status, output } = lint('import { storageAccount } from "@cdktf/provider-azurerm";\nexport const x = storageAccount;\n');
    expect(status).toBe(1);
    expect(output).toContain("no-restricted-imports");
    expect(output).toContain("deep path");
  });

  it("fails when a file imports the lib index", () => {
    const { status, output } = lint('import * as lib from "@cdktf/provider-azurerm/lib";\nexport const x = lib;\n');
    expect(status).toBe(1);
    expect(output).toContain("no-restricted-imports");
  });

  it("accepts a deep import of one resource module", () => {
    const { status, output } = lint('import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";\nexport const x = StorageAccount;\n');
    expect(output).toBe("");
    expect(status).toBe(0);
  });
});
