// RudderStack's browser library (analytics-js v3, its bundled build), unmodified, with its
// source configuration given locally instead of fetched, and no integrations loaded.
import { RudderAnalytics } from '@rudderstack/analytics-js/bundled';

window.sendWithRudderStack = ({ writeKey, dataPlaneUrl, event, count }) => new Promise((resolve) => {
  const analytics = new RudderAnalytics();
  analytics.load(writeKey, dataPlaneUrl, {
    getSourceConfig: () => ({
      source: { id: 'sightline-local', name: 'sightline-local', writeKey, workspaceId: 'local', enabled: true, config: {}, destinations: [] },
    }),
    loadIntegration: false,
    polyfillIfRequired: false,
    plugins: [],
  });
  analytics.ready(() => {
    for (let i = 0; i < count; i++) {
      analytics.track(event, { i });
    }
    resolve('sent');
  });
});
