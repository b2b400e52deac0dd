/**
 * Galata configuration: JupyterLab on port 8888 started from this folder, and
 * Debian's Chromium (Playwright cannot download its own browser here). Set
 * TRIALBOOK_CHROMIUM to another executable, or to "bundled" to use
 * Playwright's own browser on a laptop.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const chromium = process.env.TRIALBOOK_CHROMIUM || '/usr/bin/chromium';

module.exports = {
  ...baseConfig,
  timeout: 120000,
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    ...baseConfig.use,
    video: 'off',
    trace: 'retain-on-failure',
    launchOptions: chromium === 'bundled' ? {} : { executablePath: chromium }
  },
  webServer: {
    command: 'npm start',
    url: 'http://localhost:8888/lab',
    timeout: 120 * 1000,
    reuseExistingServer: !process.env.CI
  }
};
