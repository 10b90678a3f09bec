import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEd25519Verifier, openCheckpoint } from '../../src/audit/checkpoint/index.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';

/** Signed checkpoints leave the database: a witness endpoint receives each one. */
describe('checkpoint webhook', () => {
  let witness: http.Server;
  const received: string[] = [];
  let t: TestServer;

  beforeAll(async () => {
    witness = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => witness.listen(0, '127.0.0.1', r));
    const port = (witness.address() as AddressInfo).port;
    t = await startTestServer('sqlite', {
      env: {
        HAVEN_CHECKPOINT_ENTRIES: '3',
        HAVEN_CHECKPOINT_WEBHOOK: `http://127.0.0.1:${port}/checkpoints`,
      },
    });
  });
  afterAll(async () => {
    await t.stop();
    witness.close();
  });

  it('posts every signed checkpoint, verifiable with the published key', async () => {
    for (let i = 0; i < 4; i++) await t.request('GET', '/fhir/R4/Patient?family=nobody');
    const verifier = createEd25519Verifier(t.haven.auditKey.verifierKey);
    const sizes = () =>
      received.map(
        (note) =>
          openCheckpoint(note, { origin: t.config.auditOrigin, verifiers: [verifier] }).checkpoint
            .size,
      );
    for (let i = 0; i < 100 && !sizes().includes(4); i++)
      await new Promise((r) => setTimeout(r, 20));
    // The first batch is checkpointed at once (none existed yet), then every 3 entries.
    expect(sizes()).toEqual([1, 4]);
  });
});
