// Type-aware linting of src/ (issue 9): a promise that nobody handles is an
// unhandled rejection, and one of those takes a user's whole Node-RED down.
// These rules make it a build failure instead. `npm run lint`, run by .ci/run.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/*.js', '**/*.d.ts', 'node_modules/**'] },
  {
    files: ['src/**/*.ts'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Every promise is awaited, returned, or given a rejection handler (`void` marks a deliberate fire-and-forget)…
      '@typescript-eslint/no-floating-promises': ['error', { checkThenables: true }],
      // …no async function goes where its caller ignores the promise (event handlers, callbacks, conditions)…
      '@typescript-eslint/no-misused-promises': 'error',
      // …only promises are awaited, and only Errors are thrown or rejected with (Catch nodes read err.message).
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      // The source marks its deliberate control-character patterns for this rule.
      'no-control-regex': 'error',
    },
  },
);
