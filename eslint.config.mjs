// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The product's own sources, seen from anywhere under packages/ (a relative path up to the repository's src/). */
const PRODUCT_SOURCES = {
  regex: '^(\\.\\./){3,}src(/|$)',
  message: 'only packages/sandbox/src/product.ts imports the product',
};

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'demo-out/**', 'bench-out/**', '**/*.js', '**/*.mjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'error',
    },
  },
  {
    // Functions that grow past a screen are split before they become the next person's problem.
    files: ['src/**/*.ts', 'packages/*/src/**/*.ts'],
    rules: { 'max-lines-per-function': ['warn', { max: 60, skipBlankLines: true, skipComments: true, IIFEs: true }] },
  },
  {
    // src/slack posts and edits Slack messages; it never reaches into the job machinery.
    files: ['src/slack/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../jobs/*'], message: 'src/slack must not import src/jobs' }] },
      ],
    },
  },
  {
    // The product knows nothing of the sandbox: the image holds src/ (without src/bench) only.
    files: ['src/**/*.ts'],
    ignores: ['src/bench/**', 'src/domain/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@failback/*', '**/packages/**'], message: 'the product must not import the sandbox packages' },
          ],
        },
      ],
    },
  },
  {
    // The domain is pure: no I/O packages, no clock of its own.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@slack/*', 'bullmq', 'ioredis', '@azure/*', 'node:*', 'pino'],
              message: 'domain/ must stay free of I/O',
            },
            {
              group: ['../azure/*', '../jobs/*', '../store/*', '../slack/*', '../bot/*'],
              message: 'domain/ imports only domain/',
            },
            { group: ['@failback/*', '**/packages/**'], message: 'the product must not import the sandbox packages' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'time comes in as a parameter',
        },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'time comes in as a parameter' },
      ],
    },
  },
  {
    // The emulator and the Slack stand-in stand alone: neither imports the product nor another package.
    files: ['packages/asr-emulator/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [PRODUCT_SOURCES, { group: ['@failback/*'], message: 'the emulator stands alone' }] },
      ],
    },
  },
  {
    files: ['packages/slack-standin/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [PRODUCT_SOURCES, { group: ['@failback/*'], message: 'the Slack stand-in stands alone' }] },
      ],
    },
  },
  {
    // The sandbox starts the product through one module (src/product.ts), and uses the other packages by name.
    files: ['packages/sandbox/**/*.ts'],
    ignores: ['packages/sandbox/src/product.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            PRODUCT_SOURCES,
            {
              group: ['**/asr-emulator/**', '**/slack-standin/**'],
              message: 'use @failback/asr-emulator and @failback/slack-standin',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/*/src/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['test/**/*.ts', 'packages/*/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', 'no-console': 'off' },
  },
);
