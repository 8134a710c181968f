import { defineConfig } from "vitest/config";

// Each test file starts its own hallpass server (test-support/hallpass-server.ts).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 15_000,
    hookTimeout: 30_000,
  },
});
