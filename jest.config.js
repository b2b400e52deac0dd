const jestJupyterLab = require('@jupyterlab/testing/lib/jest-config');

// The base list of ES modules to transform, plus what our imports pull in.
const esModules = [
  '@codemirror',
  '@jupyter/',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@jupyter/ydoc',
  '@marijn',
  '@microsoft',
  'color',
  'exenv-es6',
  'lib0',
  'marked',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  collectCoverageFrom: [
    'src/**/*.{ts,tsx}',
    '!src/**/*.d.ts',
    '!src/**/.ipynb_checkpoints/*'
  ],
  coverageReporters: ['lcov', 'text-summary'],
  reporters: ['default'],
  testRegex: 'src/.*/.*.spec.ts[x]?$',
  roots: ['<rootDir>/src'],
  modulePathIgnorePatterns: [
    '<rootDir>/trialbook/labextension',
    '<rootDir>/ui-tests',
    '<rootDir>/.venv'
  ],
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
