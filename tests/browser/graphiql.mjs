// Opens GraphiQL at the URL given in headless Chromium, with every request to another host
// refused (as on a machine without internet access), types a query into the editor, runs it,
// then runs a subscription and makes the write it waits for, and prints what the result pane
// showed each time, as JSON: { result, subscription, offsite }.
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
  const query = await result.innerText();

  // A subscription runs over /graphql/ws; alice then updates her product 1.
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type('subscription { productUpdated { name stock } }');
  await page.locator('.graphiql-execute-button').click();
  await page.waitForTimeout(1000);
  const post = (body, token) => fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  }).then((r) => r.json());
  const login = await post({ query: 'mutation { tokenAuth(username: "alice", password: "fixture-password") { token } }' });
  await post({ query: 'mutation { updateProduct(id: "UHJvZHVjdDox", input: {stock: 42}) { success } }' }, login.data.tokenAuth.token);
  await result.getByText('productUpdated').waitFor({ timeout: 20000 });
  const subscription = await result.innerText();
  console.log(JSON.stringify({ result: query, subscription, offsite }));
} finally {
  await browser.close();
}
