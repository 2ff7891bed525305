import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Amazon EventBridge's PutEvents (JSON 1.1 protocol) on loopback, so that the
 * Lambda bundles can publish during their cold start without a network. Every entry succeeds.
 */
export async function startFakeEventBridge(): Promise<{ url: string; received(): number; close(): Promise<void> }> {
  let received = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let entries = 0;
      try {
        entries = ((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: unknown[] }).Entries ?? []).length;
      } catch {
        // answered as an empty batch
      }
      received += entries;
      const body = JSON.stringify({ FailedEntryCount: 0, Entries: Array.from({ length: entries }, () => ({ EventId: randomUUID() })) });
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
