/**
 * js-yaml is not a dependency of ours: it is in node_modules through eslint and electron-builder (dev dependencies),
 * and only tests use it, to read configs as a YAML parser would. The one function they call, typed.
 */
declare module 'js-yaml' {
  export function load(text: string): unknown;
}
