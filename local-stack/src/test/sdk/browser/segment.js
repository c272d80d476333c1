// Segment's browser library (analytics-next), unmodified, bundled for a page with no CDN:
// its settings are passed in (cdnSettings) instead of fetched.
import { AnalyticsBrowser } from '@segment/analytics-next';

window.sendWithSegment = async ({ writeKey, apiHost, event, count, batching }) => {
  const segmentio = { apiKey: writeKey, apiHost, protocol: 'http' };
  if (batching) {
    segmentio.deliveryStrategy = { strategy: 'batching', config: { size: 10, timeout: 200 } };
  }
  const [analytics] = await AnalyticsBrowser.load(
    { writeKey, cdnSettings: { integrations: { 'Segment.io': segmentio } } },
    { disableClientPersistence: true });
  for (let i = 0; i < count; i++) {
    await analytics.track(event, { i });
  }
  return 'sent';
};
