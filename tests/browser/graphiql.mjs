// Opens GraphiQL at the URL given in headless Chromium, with every request to another host
// refused (as on a machine without internet access), types a query into the editor, runs it
// and prints what the result pane shows, as JSON: { result, offsite }.
import { chromium } from 'playwright-core';

const url = process.argv[2];
const origin = new URL(url).origin;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
const offsite = [];
try {
  const page = await browser.newPage();
  await page.route('**/*', (route) => {
    if (new URL(route.request().url()).origin === origin) return route.continue();
    offsite.push(route.request().url());
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  const editor = page.locator('.graphiql-query-editor .CodeMirror').first();
  await editor.waitFor({ timeout: 20000 });
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type('{ categories(first: 1) { totalCount } }');
  await page.locator('.graphiql-execute-button').click();
  const result = page.locator('.result-window');
  await result.getByText('totalCount').waitFor({ timeout: 20000 });
  console.log(JSON.stringify({ result: await result.innerText(), offsite }));
} finally {
  await browser.close();
}
