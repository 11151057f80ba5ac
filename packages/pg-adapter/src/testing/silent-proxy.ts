// Test support (not part of the public API): a TCP proxy on 127.0.0.1 in front of a real server
// that can go silent the way a network does (a NAT that forgot a connection, a partition, a
// paused VM): bytes vanish, and no socket is closed or reset.
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

interface Pair {
  readonly client: Socket;
  readonly server: Socket;
  /** Client to server bytes pass. */
  up: boolean;
  /** Server to client bytes pass. */
  down: boolean;
}

export type SilenceScope = 'that connection' | 'everything';

export interface SilentProxy {
  /** The target URL with the proxy's host and port. */
  readonly url: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /**
   * Once a client sends bytes holding `marker` (they are forwarded, as is the rest of that
   * client's statement), no reply reaches it any more: on that connection only, or everywhere
   * (every other connection, and every new one, silent both ways). Resolves when it happened.
   */
  silenceAfter(marker: string, scope: SilenceScope): Promise<void>;
  /** Lets new connections through again (silenced ones stay silent). */
  heal(): void;
  /** Destroys every socket and stops listening. */
  close(): Promise<void>;
}

export async function startSilentProxy(target: string): Promise<SilentProxy> {
  const url = new URL(target);
  const pairs = new Set<Pair>();
  let silentForNew = false;
  let accepted = 0;
  let trigger: { marker: Buffer; scope: SilenceScope; fired: () => void } | undefined;

  const server = createServer((client) => {
    accepted++;
    const upstream = connect(Number(url.port || 5432), url.hostname);
    const pair: Pair = { client, server: upstream, up: !silentForNew, down: !silentForNew };
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      if (pair.up) upstream.write(chunk);
      if (trigger !== undefined && chunk.includes(trigger.marker)) {
        const { scope, fired } = trigger;
        trigger = undefined;
        pair.down = false;
        if (scope === 'everything') {
          silentForNew = true;
          for (const other of pairs) {
            if (other === pair) continue;
            other.up = false;
            other.down = false;
          }
        }
        fired();
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (pair.down) client.write(chunk);
    });
    // A silent network carries no FIN or RST either: a side that closes is not heard by the other.
    const closeOther = (other: Socket) => () => {
      if (pair.up && pair.down) other.destroy();
    };
    client.on('close', closeOther(upstream));
    upstream.on('close', closeOther(client));
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const proxied = new URL(target);
  proxied.hostname = '127.0.0.1';
  proxied.port = String((server.address() as AddressInfo).port);

  return {
    url: proxied.toString(),
    get accepted() {
      return accepted;
    },
    silenceAfter(marker, scope) {
      return new Promise<void>((resolve) => {
        trigger = { marker: Buffer.from(marker), scope, fired: resolve };
      });
    },
    heal() {
      silentForNew = false;
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.server.destroy();
      }
      server.close();
      await once(server, 'close').catch(() => {});
    },
  };
}
