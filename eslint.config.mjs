import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The globals of the Node that runs ESLint (the one the build, bench and script files run on),
// without a dependency for the list; CommonJS files also have their module scope.
const nodeGlobals = Object.fromEntries(Object.getOwnPropertyNames(globalThis).filter((n) => /^[A-Za-z]\w*$/.test(n)).map((n) => [n, 'readonly']));
const commonjsGlobals = { require: 'readonly', module: 'writable', exports: 'writable', __dirname: 'readonly', __filename: 'readonly' };
const unusedVars = ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }];

export default tseslint.config(
  { ignores: ['dist/**', 'out-test*/**', 'node_modules/**', '.e2e/**', 'test-artifacts/**', 'bench/tmp/**', '.cache/**', 'demo-workspace/**'] },
  js.configs.recommended,
  // TypeScript: the recommended TypeScript rules, type-only imports as such, vscode only in the extension.
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Only src/extension may import vscode.' }] }],
    },
  },
  {
    files: ['src/extension/**/*.ts', 'test/extension/**/*.ts', 'test/e2e/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  // The build, bench and script files: JavaScript run by Node, the same rules where they apply.
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: nodeGlobals },
    rules: { 'no-unused-vars': unusedVars },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { ecmaVersion: 'latest', sourceType: 'commonjs', globals: { ...nodeGlobals, ...commonjsGlobals } },
    rules: { 'no-unused-vars': unusedVars },
  },
);
