// A k6 script using more of what `probe import k6` converts: scenarios with executors, thresholds
// tagged by request and scenario, __ENV with a default, a group, sleep, params and checks.
import http from 'k6/http';
import { check, group, sleep } from 'k6';

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:5080';
const headers = { 'Content-Type': 'application/json', 'X-Client': 'k6-import' };

export const options = {
  scenarios: {
    browse: {
      executor: 'constant-vus',
      vus: 2,
      duration: '4s',
    },
    search: {
      executor: 'constant-arrival-rate',
      rate: 20,
      timeUnit: '1s',
      duration: '4s',
      preAllocatedVUs: 5,
      maxVUs: 20,
      exec: 'search',
      startTime: '1s',
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<500'],
    'http_req_duration{name:knowledge}': [{ threshold: 'p(99)<800', abortOnFail: true }],
    'checks{scenario:search}': ['rate>0.99'],
  },
};

export default function () {
  group('visit', function () {
    const res = http.get(`${BASE_URL}/health`, { tags: { name: 'health' } });
    check(res, {
      'is up': (r) => r.status === 200,
      'says healthy': (r) => r.json('status') === 'healthy',
    });
    sleep(0.5);
  });
  sleep(1);
}

export function search() {
  const payload = JSON.stringify({ query: 'haircut prices', shopId: 1, limit: 3 });
  const res = http.post(BASE_URL + '/api/knowledge/search', payload, { headers: headers, tags: { name: 'knowledge' }, timeout: '10s' });
  check(res, {
    'status is 200': (r) => r.status === 200 || r.status === 201,
    'has results': (r) => r.json().results.length > 0,
    'fast': (r) => r.timings.duration < 500,
  });
}
