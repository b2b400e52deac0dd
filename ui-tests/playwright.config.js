/**
 * Galata configuration: JupyterLab started from this folder, and Debian's
 * Chromium (Playwright cannot download its own browser here).
 *
 * TRIALBOOK_CHROMIUM  browser executable, or "bundled" for Playwright's own
 * TRIALBOOK_UI_PORT   the test server's port (default 8888, Galata's)
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const chromium = process.env.TRIALBOOK_CHROMIUM || '/usr/bin/chromium';
const port = process.env.TRIALBOOK_UI_PORT || '8888';
const baseURL = `http://localhost:${port}`;

module.exports = {
  ...baseConfig,
  timeout: 120000,
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    ...baseConfig.use,
    baseURL,
    video: 'off',
    // Galata's user mock routes /.*\/api\/me.*/, which also catches our
    // `trialbook/api/metrics`: use the server's real identity instead.
    mockUser: false,
    trace: 'retain-on-failure',
    launchOptions: chromium === 'bundled' ? {} : { executablePath: chromium }
  },
  webServer: {
    command: `jupyter lab --config jupyter_server_test_config.py --ServerApp.port=${port}`,
    url: `${baseURL}/lab`,
    timeout: 120 * 1000,
    reuseExistingServer: false,
    // The server's log only helps when something fails: TRIALBOOK_UI_SERVER_LOG=1.
    stdout: process.env.TRIALBOOK_UI_SERVER_LOG ? 'pipe' : 'ignore',
    stderr: process.env.TRIALBOOK_UI_SERVER_LOG ? 'pipe' : 'ignore'
  }
};
