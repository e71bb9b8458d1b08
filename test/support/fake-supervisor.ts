import { TestReceiver } from '../../simulator/harness/receiver.js';

/** A fake Supervisor: checks the bearer token and records the events fired through its Core proxy. */
export async function fakeSupervisor(token = 'supervisor-token-for-tests') {
  const receiver = await TestReceiver.start();
  receiver.respondWith((r) => ({ status: r.headers.authorization === `Bearer ${token}` ? 200 : 401 }));
  return {
    receiver,
    /** The variables the Supervisor gives an app, pointing at this one. */
    env: { SUPERVISOR_TOKEN: token, SUPERVISOR_URL: `http://127.0.0.1:${receiver.port}` },
    /** The data of every event of `type` fired so far, in order. */
    events: (type: string) => receiver.requests.filter((r) => r.path === `/core/api/events/${type}`).map((r) => r.json),
  };
}
