import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// Import boundaries (README, Architecture): a domain imports only platform/, api/ and other domains' index.ts;
// platform/ imports no domain; nothing below the transports imports app/ or a transport; the renderer no main/.
const domains = ['knowledge', 'synthesis', 'labeling', 'llm', 'review', 'evaluation', 'training', 'jobs', 'demoModel'];
const above = ['app', 'server', 'cli', 'electron'].map((d) => ({ group: [`**/main/${d}/**`, `../${d}/**`, `../../${d}/**`], message: `main/${d} is above the domains: pass what is needed in instead` }));
const otherDomain = (o) => ({
  group: [`../${o}/**`, `../../${o}/**`, `../../../${o}/**`, `!../${o}/index.js`, `!../../${o}/index.js`, `!../../../${o}/index.js`],
  message: `Import main/${o} only through its index.ts`,
});
const boundaries = [
  ...domains.map((d) => ({
    files: [`main/${d}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: [...domains.filter((o) => o !== d).map(otherDomain), ...above] }] },
  })),
  {
    files: ['main/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...domains.map((o) => ({ group: [`../${o}/**`, `../../${o}/**`, `../../../${o}/**`], message: 'platform/ imports no domain' })), ...above] },
      ],
    },
  },
  {
    // The CLI calls services as the Api does, validation included (AppRuntime.call), never around it.
    files: ['main/cli/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='context']", message: 'The CLI reaches services through app.call (the Api), not app.context' },
        { selector: "MemberExpression[property.name='handlers']", message: 'app.handlers skips the Api validation; use app.call' },
      ],
    },
  },
  {
    // The pages, not the build config (vite.config.ts shares the Content-Security-Policy with the server).
    files: ['renderer/src/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/main/**'], message: 'The renderer reaches main/ only through the Api (api/)' }] }] },
  },
];

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'native/build/**', 'native/deps/**', 'release/**', 'test-results/**', 'bench/results/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  ...boundaries,
);
