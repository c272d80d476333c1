// Segment's Node library, unmodified: sends COUNT track calls named EVENT to the gateway at HOST.
// Usage: node node/segment.mjs HOST WRITE_KEY EVENT COUNT
import { Analytics } from '@segment/analytics-node';

const [host, writeKey, event, count] = process.argv.slice(2);
const analytics = new Analytics({ writeKey, host, maxEventsInBatch: 15, flushInterval: 200, maxRetries: 3 });
let failed = null;
analytics.on('error', (err) => { failed = err; });
for (let i = 0; i < Number(count); i++) {
  analytics.track({ userId: `segment-node-${i % 7}`, event, properties: { i } });
}
await analytics.closeAndFlush({ timeout: 30000 });
if (failed) {
  console.error('delivery failed:', failed);
  process.exit(1);
}
