/**
 * js-yaml is a dev dependency (tests only: they read exported configs as a YAML parser would); it ships no types
 * and @types/js-yaml is not installed here. The one function the tests call, typed.
 */
declare module 'js-yaml' {
  export function load(text: string): unknown;
}
