// The RAN agent: serves proto/e2.proto to the controller over mutual TLS and drives the local
// base station through a backend. It holds the lease: when the controller stops renewing it,
// the backend puts the radio in its safe state within the lease (plus the backend's stop time).
import type * as grpc from '@grpc/grpc-js';
import { messageOf } from '../../errors.js';
import { childLog } from '../../log.js';
import type { AgentSettings, RanBackend } from './backend.js';
import { Lease } from './lease.js';
import { serveE2, shutdownServer } from './server.js';

const log = childLog('ran.agent');

export class RanAgent {
  private server: grpc.Server | null = null;
  private readonly lease: Lease;
  private stopping: Promise<void> | null = null;

  constructor(
    readonly settings: AgentSettings,
    readonly backend: RanBackend,
    readonly backendName = '',
  ) {
    this.lease = new Lease(settings.leaseMs, () => {
      log.warn({ node: settings.nodeId, leaseMs: settings.leaseMs }, 'lease lapsed: no call from the controller; radio to its safe state');
      void backend.safeState('the controller lease lapsed').catch((err: unknown) => log.error({ node: settings.nodeId, err: messageOf(err) }, 'safe state failed'));
    });
  }

  /** Start the backend, then listen; resolves with the bound address. */
  async start(): Promise<{ host: string; port: number }> {
    await this.backend.start();
    const b = this.backend;
    const { server, host, port } = await serveE2(this.settings.nodeId, this.settings.listen, this.settings.tls, {
      setup: () => ({ ...b.setup(), backend: this.backendName }),
      control: (req, client) => b.control(req, client),
      subscribe: (call) => b.subscribe(call),
      ...(b.advance ? { advance: b.advance.bind(b) } : {}),
      onAuthenticated: () => {
        if (!this.stopping) this.lease.renew();
      },
    });
    this.server = server;
    log.info({ node: this.settings.nodeId, host, port, leaseMs: this.settings.leaseMs }, 'RAN agent listening');
    return { host, port };
  }

  /** Radio to its safe state, backend stopped, server shut down. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.lease.cancel();
      await this.backend.stop().catch((err: unknown) => log.error({ node: this.settings.nodeId, err: messageOf(err) }, 'backend stop failed'));
      if (this.server) await shutdownServer(this.server);
      log.info({ node: this.settings.nodeId }, 'RAN agent stopped');
    })();
    return this.stopping;
  }
}
