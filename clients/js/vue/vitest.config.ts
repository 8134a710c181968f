import { fileURLToPath } from "node:url";
import ts from "typescript";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";
import { compileScript, compileTemplate, parse, rewriteDefault } from "vue/compiler-sfc";

// The tests mount the examples of `@ductape/vue`'s documentation as real single-file components
// (test/fixtures/*.vue, `<script setup lang="ts">` copied with only the import path changed). This is
// the smallest SFC transform that needs no extra dependency, compiled as @vitejs/plugin-vue does
// in development (script and template apart, so tests can read the setup state through
// wrapper.vm); TypeScript strips the types.
function vueSfc(): Plugin {
  return {
    name: "hallpass-test-vue-sfc",
    enforce: "pre",
    transform(source, id) {
      if (!id.endsWith(".vue")) return null;
      const { descriptor, errors } = parse(source, { filename: id });
      if (errors.length > 0) throw errors[0];
      const scopeId = `data-v-${descriptor.filename.length.toString(16)}`;
      const script = compileScript(descriptor, { id: scopeId, inlineTemplate: false });
      let code = rewriteDefault(script.content, "_sfc_main", ["typescript"]);
      if (descriptor.template) {
        const template = compileTemplate({
          source: descriptor.template.content,
          filename: id,
          id: scopeId,
          compilerOptions: { bindingMetadata: script.bindings },
        });
        if (template.errors.length > 0) throw template.errors[0];
        code += `\n${template.code}\n_sfc_main.render = render;`;
      }
      code += "\nexport default _sfc_main;\n";
      const js = ts.transpileModule(code, {
        fileName: `${id}.ts`,
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
      });
      return { code: js.outputText, map: null };
    },
  };
}

export default defineConfig({
  plugins: [vueSfc()],
  resolve: {
    alias: [
      { find: /^@hallpass\/client\/browser$/, replacement: fileURLToPath(new URL("../client/src/browser.ts", import.meta.url)) },
      { find: /^@hallpass\/client$/, replacement: fileURLToPath(new URL("../client/src/index.ts", import.meta.url)) },
      // The documented examples import "@hallpass/vue": the source, no build needed.
      { find: /^@hallpass\/vue$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
    ],
  },
  test: {
    environment: "happy-dom",
    // The page's origin (happy-dom's default http://localhost:3000) is not the test server's:
    // these tests play a server-side Vue app with an access key, so no CORS check applies.
    environmentOptions: { happyDOM: { settings: { fetch: { disableSameOriginPolicy: true } } } },
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
