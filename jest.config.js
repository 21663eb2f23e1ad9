/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { diagnostics: false }],
    // azure-kusto-data 7 ships ESM only, which jest's CommonJS runtime cannot require(): compile it to CommonJS.
    "/node_modules/azure-kusto-data/.+\\.js$": [
      "ts-jest",
      { diagnostics: false, tsconfig: { allowJs: true, module: "commonjs", moduleResolution: "node", esModuleInterop: true, target: "ES2022" } },
    ],
  },
  transformIgnorePatterns: ["/node_modules/(?!azure-kusto-data/)"],
  globalSetup: "<rootDir>/test/setup/global-setup.js",
  setupFilesAfterEnv: ["<rootDir>/test/setup/after-env.ts"],
  testTimeout: 60000,
};
