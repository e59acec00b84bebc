// Runs every audit of graphql-http's serverAudits against the URL given, prints each that is
// not "ok" (error: a MUST failed, warn: a SHOULD, notice: a MAY) and a JSON summary last.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  counts[result.status] += 1;
  if (result.status !== 'ok') {
    console.log(`${result.status.toUpperCase()} ${audit.name}: ${result.reason}`);
  }
}
console.log(JSON.stringify(counts));
