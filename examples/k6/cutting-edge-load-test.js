// load-test.js: the k6 script of the barbershop launch plan (seed 002), as its authors wrote it.
import http from 'k6/http';
import { check } from 'k6';

export let options = {
  stages: [
    { duration: '2m', target: 10 },   // Ramp up to 10 users
    { duration: '5m', target: 50 },   // Ramp up to 50 users
    { duration: '2m', target: 0 },    // Ramp down
  ],
};

export default function () {
  let response = http.post('https://api.cuttingedge.com/api/knowledge/search', JSON.stringify({
    query: 'haircut prices',
    shopId: 1,
    limit: 3
  }), {
    headers: { 'Content-Type': 'application/json' },
  });

  check(response, {
    'status is 200': (r) => r.status === 200,
    'response time < 500ms': (r) => r.timings.duration < 500,
  });
}
