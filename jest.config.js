/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  globalSetup: "<rootDir>/test/setup/global-setup.js",
  setupFilesAfterEnv: ["<rootDir>/test/setup/after-env.ts"],
  testTimeout: 60000,
};
