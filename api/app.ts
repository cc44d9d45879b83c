import { OpenAPIHono } from '@hono/zod-openapi';
import { authenticate } from './auth';
import type { ApiDeps, ApiEnv } from './context';
import { docsRoutes } from './docs';
import { onError } from './errors';
import { partyRoutes } from './routes/parties';
import { ratePlanRoutes } from './routes/rate-plans';
import { ratingRoutes } from './routes/rating';
import { allocationRoutes } from './routes/allocation';
import { billingRoutes } from './routes/billing';
import { billingLinkRoutes } from './routes/billing-links';
import { catalogRoutes } from './routes/catalog';
import { ledgerRoutes } from './routes/ledger';
import { linkRoutes } from './routes/links';
import { usageFileRoutes } from './routes/usage-files';
import { usageRecordRoutes } from './routes/usage-records';
import { walletRoutes } from './routes/wallets';
import { accountRoutes } from './routes/accounts';
import { feedLoadRoutes, feedRoutes } from './routes/feeds';
import { quarantineRoutes } from './routes/quarantine';

export type { ApiDeps } from './context';

/** Builds the HTTP API over explicit dependencies; api/server.ts listens, tests call app.request. */
export function createApp(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  app.onError(onError(deps.logger));
  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `No route ${c.req.method} ${c.req.path}` } }, 404));

  app.get('/healthz', async (c) => {
    const [postgres, temporal] = await Promise.all([
      deps.database.sql`select 1`.then(() => 'ok', (e: Error) => e.message),
      deps.temporal.connection.workflowService.getSystemInfo({}).then(() => 'ok', (e: Error) => e.message),
    ]);
    const ok = postgres === 'ok' && temporal === 'ok';
    return c.json({ status: ok ? 'ok' : 'degraded', postgres, temporal }, ok ? 200 : 503);
  });

  app.use('/v1/*', authenticate(deps));
  app.route('/v1/parties', partyRoutes(deps));
  app.route('/v1', ratePlanRoutes(deps));
  app.route('/v1/rating', ratingRoutes(deps));
  app.route('/v1/usage-files', usageFileRoutes(deps));
  app.route('/v1/usage-records', usageRecordRoutes(deps));
  app.route('/v1', catalogRoutes(deps));
  app.route('/v1/wallets', walletRoutes(deps));
  app.route('/v1/ledger', ledgerRoutes(deps));
  app.route('/v1/allocation', allocationRoutes(deps));
  app.route('/v1', accountRoutes(deps));
  app.route('/v1/feeds', feedRoutes(deps));
  app.route('/v1/feed-loads', feedLoadRoutes(deps));
  app.route('/v1', quarantineRoutes(deps));
  app.route('/v1', billingRoutes(deps));
  app.route('/links', linkRoutes(deps));
  app.route('/links/billing-runs', billingLinkRoutes(deps));

  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http', scheme: 'bearer', description: 'An API key issued by `meterflow party create` or POST /v1/parties/{id}/api-keys',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Meterflow API', version: '0.1.0', description: 'Usage management: usage files, rating, mediation, ledger and billing.' },
  });
  app.route('/docs', docsRoutes());
  return app;
}
