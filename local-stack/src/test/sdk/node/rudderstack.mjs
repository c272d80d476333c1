// RudderStack's Node library, unmodified: sends COUNT track calls named EVENT to the gateway at HOST.
// Usage: node node/rudderstack.mjs HOST WRITE_KEY EVENT COUNT
import Analytics from '@rudderstack/rudder-sdk-node';

const [host, writeKey, event, count] = process.argv.slice(2);
const client = new Analytics(writeKey, { dataPlaneUrl: host, flushAt: 15, flushInterval: 200, logLevel: 'error' });
let failed = null;
for (let i = 0; i < Number(count); i++) {
  client.track({ userId: `rudderstack-node-${i % 7}`, event, properties: { i } }, (err) => { if (err) failed = err; });
}
await client.flush();
if (failed) {
  console.error('delivery failed:', failed);
  process.exit(1);
}
