#!/usr/bin/env python3
"""Event-to-alert latency on a running local stack.

Usage: event_to_alert_latency.py <gateway URL> <serving URL>
Warms three probe series (LatencyProbeA/B/C) with 2 events every 5 s for 7 minutes,
then posts a batch of 200 events per probe and measures the time from the POST until
the firing alert is visible at the serving API's /v1/alerts (polled every 20 ms).
"""
import base64
import json
import sys
import time
import urllib.request
gw = sys.argv[1]; serving = sys.argv[2]
auth = 'Basic ' + base64.b64encode(b'local-dev-key:').decode()
probes = ['LatencyProbeA', 'LatencyProbeB', 'LatencyProbeC']

def post(path, body):
    req = urllib.request.Request(gw + path, data=json.dumps(body).encode(), headers={'Content-Type': 'application/json', 'Authorization': auth})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status

def alerts():
    with urllib.request.urlopen(serving + '/v1/alerts', timeout=5) as r:
        return json.load(r)['alerts']

n = 0
def track(event, count):
    global n
    batch = []
    for i in range(count):
        n += 1
        batch.append({'type': 'track', 'event': event, 'userId': 'probe-%d' % (n % 50), 'messageId': 'probe-%d-%f' % (n, time.time())})
    post('/v1/batch', {'batch': batch})

start = time.time()
warm = 7 * 60
print('warming up for %d s' % warm, flush=True)
while time.time() - start < warm:
    for p in probes:
        track(p, 2)
    time.sleep(5)
results = []
for p in probes:
    t0 = time.time()
    track(p, 200)
    t_ack = time.time()
    found = None
    while time.time() - t0 < 30:
        try:
            for a in alerts():
                if a.get('dimensions', {}).get('event') == p and a.get('status') == 'firing':
                    found = a
        except Exception as e:
            pass
        if found:
            break
        time.sleep(0.02)
    t1 = time.time()
    results.append((p, t1 - t0, t_ack - t0, found is not None))
    print('%s: alert visible at serving API %.3f s after the spike POST (gateway ack %.3f s) found=%s' % (p, t1 - t0, t_ack - t0, found is not None), flush=True)
    if found:
        print(json.dumps(found)[:1500], flush=True)
    time.sleep(15)
print('RESULTS', results, flush=True)
