/**
 * Browser benchmark of the experiment view (not part of scripts/test).
 * Run through `benchmarks/ui/run.sh`, which generates the data first.
 */
const path = require('path');

const uiTests = path.resolve(__dirname, '..', '..', 'ui-tests');
const chromium = process.env.TRIALBOOK_CHROMIUM || '/usr/bin/chromium';
const port = process.env.TRIALBOOK_UI_PORT || '8894';
const baseURL = `http://localhost:${port}`;

module.exports = {
  testDir: __dirname,
  testMatch: '*.bench.ts',
  timeout: 600000,
  workers: 1,
  reporter: [['list']],
  outputDir: path.join(uiTests, 'test-results', 'bench-ui'),
  use: {
    baseURL,
    viewport: { width: 1600, height: 1000 },
    video: 'off',
    trace: 'off',
    launchOptions: chromium === 'bundled' ? {} : { executablePath: chromium }
  },
  webServer: {
    // The Galata test server configuration, pointed at the generated store.
    command: `jupyter lab --config ${path.join(uiTests, 'jupyter_server_test_config.py')} --ServerApp.port=${port}`,
    cwd: uiTests,
    url: `${baseURL}/lab`,
    timeout: 120 * 1000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'ignore'
  }
};
