// The `@ductape/vue` documentation's examples mounted by the tests are single-file components (test/fixtures/*.vue),
// compiled by the small transform in vitest.config.ts.
declare module "*.vue" {
  import type { DefineComponent } from "vue";
  const component: DefineComponent<any, any, any>;
  export default component;
}
