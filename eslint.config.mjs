import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "cdktf.out/", "dist/", ".local/", ".cache/", "coverage/"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      // The provider barrel costs ~3 s and ~600 MB per compile or test file: deep paths only.
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "@cdktf/provider-azurerm", message: "Import provider resources by deep path, e.g. @cdktf/provider-azurerm/lib/storage-account." }],
          patterns: [{ regex: "^@cdktf/provider-azurerm/lib/?$", message: "Import a resource module, e.g. @cdktf/provider-azurerm/lib/storage-account." }],
        },
      ],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // Plain CommonJS configuration files (jest) load with require().
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly", __dirname: "readonly", process: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
