// The console is served by hallpass at /console/ from the files built here (dist/), which are
// committed and embedded in the binary. No inline script or style ends up in index.html, so the
// page runs under a Content-Security-Policy without 'unsafe-inline'.
import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

export default defineConfig({
  base: "/console/",
  plugins: [vue()],
  build: {
    // Inside the crate that embeds it, so the crate builds (and installs) on its own.
    outDir: "../crates/hallpass-http/console",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    // Stable names: a rebuild of the same sources writes the same files, so the committed
    // dist/ can be checked against a fresh build.
    rollupOptions: {
      output: {
        entryFileNames: "assets/console.js",
        chunkFileNames: "assets/[name].js",
        assetFileNames: "assets/[name][extname]",
      },
    },
  },
});
